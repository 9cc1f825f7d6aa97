/** zh-CN by default, English on the switch; the choice is remembered in this browser. */
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { en, zh, type DictionaryKey } from './dictionary';

export type Lang = 'zh' | 'en';
interface I18n { lang: Lang; t: (key: DictionaryKey) => string; setLang: (lang: Lang) => void }

const I18nContext = createContext<I18n>({ lang: 'zh', t: (k) => zh[k], setLang: () => undefined });
const KEY = 'rect-console-lang';

export function I18nProvider({ children, initial }: { children: ReactNode; initial?: Lang }) {
  const [lang, setLangState] = useState<Lang>(initial ?? (localStorage.getItem(KEY) === 'en' ? 'en' : 'zh'));
  const value = useMemo<I18n>(() => ({
    lang,
    t: (key) => (lang === 'en' ? en : zh)[key] ?? key,
    setLang: (next) => { localStorage.setItem(KEY, next); setLangState(next); },
  }), [lang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export const useI18n = () => useContext(I18nContext);
