/// What a client presents to the services.
public enum Credentials: Sendable, Equatable {
    /// No `authorization` header: health checks, and calls authorised by the
    /// client certificate alone (bootstrap, service-to-service).
    case anonymous
    /// A long-lived secret (`purser_ok_…`, `purser_sk_…`, `purser_ak_…`, `purser_pk_…`),
    /// exchanged at `Identity/Authenticate` for short-lived tokens.
    case secret(String)
    /// A token obtained elsewhere, sent as is and never refreshed.
    case token(String)
}
