/** Any API refusal as a readable message: title, detail, each field's message, the request id. */
import { Alert } from 'antd';
import { describeError } from '../api/problem';
import { useI18n } from '../i18n/I18n';

export function ErrorAlert({ error, onClose }: { error: unknown; onClose?: () => void }) {
  const { t } = useI18n();
  if (!error) return null;
  const d = describeError(error);
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      closable={!!onClose}
      onClose={onClose}
      style={{ marginBottom: 16 }}
      message={d.title}
      description={(d.detail || d.fields.length || d.requestId) ? (
        <div>
          {d.detail && <div>{d.detail}</div>}
          {d.fields.length > 0 && <ul style={{ margin: '4px 0', paddingInlineStart: 20 }}>{d.fields.map((f) => <li key={f}>{f}</li>)}</ul>}
          {d.requestId && <div style={{ fontSize: 12, color: '#595959' }}>{t('requestId')}: {d.requestId}</div>}
        </div>
      ) : undefined}
    />
  );
}
