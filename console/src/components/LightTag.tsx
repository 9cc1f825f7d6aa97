/** A task's or item's light as a coloured tag with its word (colour is never the only signal). */
import { Tag } from 'antd';
import type { Light } from '../api/client';
import { useI18n } from '../i18n/I18n';

const COLOURS: Record<Light, string> = { green: 'success', yellow: 'warning', red: 'error', none: 'default' };

export function LightTag({ light }: { light: Light }) {
  const { t } = useI18n();
  return <Tag color={COLOURS[light]} data-light={light}>{t(`light.${light}`)}</Tag>;
}
