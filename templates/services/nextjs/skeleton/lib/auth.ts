/**
 * The authentication integration point: a typed stub until a provider is wired in.
 *
 * Add an integration instance (auth0, clerk or oidc from the platform's catalog) to the
 * service's `integrations:`; its settings and credentials arrive as env vars (for OIDC:
 * OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET). Implement `getSession` with the
 * provider's SDK; the rest of the app only sees `Session`.
 */
export interface Session {
  subject: string;
  email?: string;
  expiresAt: Date;
}

export interface AuthProvider {
  /** The session a request carries, or null when it carries none (or an invalid one). */
  getSession(request: Request): Promise<Session | null>;
}

/** Until a provider is configured, nobody is signed in. */
export const auth: AuthProvider = {
  async getSession(): Promise<Session | null> {
    return null;
  },
};
