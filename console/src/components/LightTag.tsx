/**
 * A task's or item's light as a coloured tag with its word (colour is never
 * the only signal). Darker text than antd's preset tags, which fall under
 * WCAG AA contrast (axe: color-contrast).
 */
import { Tag } from 'antd';
import type { Light } from '../api/client';
import { useI18n } from '../i18n/I18n';

const STYLES: Record<Light, { color: string; background: string; borderColor: string }> = {
  red: { color: '#a8071a', background: '#fff1f0', borderColor: '#ffa39e' },
  yellow: { color: '#7c4a00', background: '#fffbe6', borderColor: '#ffd666' },
  green: { color: '#1e6b04', background: '#f6ffed', borderColor: '#95de64' },
  none: { color: '#434343', background: '#fafafa', borderColor: '#d9d9d9' },
};

export function LightTag({ light }: { light: Light }) {
  const { t } = useI18n();
  return <Tag style={STYLES[light]} data-light={light}>{t(`light.${light}`)}</Tag>;
}
