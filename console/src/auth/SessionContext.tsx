import { createContext, useContext, useState, type ReactNode } from 'react';
import { loadSession, saveSession, type Session } from './session';

interface SessionState { session?: Session; signIn: (s: Session) => void; signOut: () => void }
const SessionContext = createContext<SessionState>({ signIn: () => undefined, signOut: () => undefined });

export function SessionProvider({ children, initial }: { children: ReactNode; initial?: Session }) {
  const [session, setSession] = useState<Session | undefined>(() => initial ?? loadSession());
  if (initial) saveSession(initial);
  return (
    <SessionContext.Provider value={{
      session,
      signIn: (s) => { saveSession(s); setSession(s); },
      signOut: () => { saveSession(undefined); setSession(undefined); },
    }}>
      {children}
    </SessionContext.Provider>
  );
}

export const useSession = () => useContext(SessionContext);
