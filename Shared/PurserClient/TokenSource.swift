import Foundation
import PurserAPI

/// Hands out a valid token for a secret: exchanges the secret at
/// `Identity/Authenticate`, caches the session and fetches the next one before
/// the current one expires. Concurrent callers share one exchange.
actor TokenSource {
    typealias Exchange = @Sendable (String) async throws(PurserClientError) -> AuthenticateResponse

    private let secret: String
    private let exchange: Exchange
    private var current: Session?
    private var pending: Task<Result<Session, PurserClientError>, Never>?

    init(secret: String, exchange: @escaping Exchange) {
        self.secret = secret
        self.exchange = exchange
    }

    /// A session whose token is not about to expire.
    func session() async throws(PurserClientError) -> Session {
        if let current, !current.needsRefresh(nowUs: Self.nowUs()) { return current }
        let task: Task<Result<Session, PurserClientError>, Never>
        if let pending {
            task = pending
        } else {
            let secret = self.secret
            let exchange = self.exchange
            task = Task {
                let issuedAt = Self.nowUs()
                do throws(PurserClientError) {
                    let response = try await exchange(secret)
                    return .success(Session(token: response.token, subject: response.subject, tenantID: response.tenantID,
                                            role: response.role, issuedAtUs: issuedAt, expiresAtUs: response.expiresAtUs))
                } catch {
                    return .failure(error)
                }
            }
            pending = task
        }
        let result = await task.value
        pending = nil
        switch result {
        case .success(let session):
            current = session
            return session
        case .failure(let error):
            throw error
        }
    }

    /// Forgets `token` if it is the cached one (the service refused it), so the next call fetches another.
    func invalidate(token: String) {
        if current?.token == token { current = nil }
    }

    static func nowUs() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }
}
