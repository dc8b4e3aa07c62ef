import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import PurserTestSupport
import Synchronization

/// One call's answer as the caller saw it.
struct MatrixAnswer: Sendable {
    var code: StatusCode
    var reason: String?
    var message: String
    var body: [UInt8]
    /// The HTTP status, for a call made through the gateway (`code` is then not read).
    var httpStatus: Int? = nil
}

/// How the authorization matrix reaches a running `Deployment`: one client per
/// service and presented certificate, and a token for every principal that
/// presents one (refreshed from its secret while it still has one).
final class MatrixFixture: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The SMTP port of the Email-alias service.
    let smtpPort: Int
    /// The database the services share, for rows no public method writes.
    let databaseURL: String
    /// Clients by service and presented certificate ("" = none).
    private let clients: [String: RPCClient]
    private let tokens = Mutex<[MatrixPrincipal: Token]>([:])
    /// Tokens older than this are fetched again from the principal's secret (when it still has one).
    let refreshAfter: Duration

    struct Token: Sendable {
        var value: String
        var secret: String?
        var audience: String
        var obtainedAt: ContinuousClock.Instant
    }

    /// Connects to `deployment` (which must be serving).
    init(deployment: Deployment, refreshAfter: Duration) throws {
        smtpPort = deployment.smtpPort
        databaseURL = deployment.databaseURL
        self.refreshAfter = refreshAfter
        let logger = Logger(label: "authorization-matrix", level: .critical)
        var clients: [String: RPCClient] = [:]
        for service in Deployment.services {
            for certificate in ["", "test-client"] + Deployment.services {
                clients["\(service)/\(certificate)"] = try TestRPC.client(
                    port: deployment.ports[service] ?? 0, certificate: certificate.isEmpty ? nil : certificate, logger: logger)
            }
        }
        self.clients = clients
    }

    /// Closes every client.
    func close() {
        for client in clients.values { client.close() }
    }

    /// The service a full method name belongs to (`purser.<service>.v1.…`); a
    /// name of no known service has no client, so its call answers INTERNAL.
    static func service(of method: String) -> String {
        method.split(separator: ".").dropFirst().first.map(String.init) ?? ""
    }

    // MARK: Calls

    /// Calls `method` with raw `request` bytes as `principal`, plus `extra`
    /// metadata, over `purser/1` or, given `gateway`, over HTTP through it;
    /// never throws: every answer is returned.
    func call(
        _ method: String, _ request: [UInt8], as principal: MatrixPrincipal, extra: Metadata = [:], through gateway: MatrixGateway? = nil
    ) async -> MatrixAnswer {
        if let gateway {
            var metadata = extra
            metadata.append("idempotency-key", "matrix-\(UUID().uuidString)")
            do {
                return await gateway.call(method, request, token: try await token(for: principal), extra: metadata)
            } catch {
                return MatrixAnswer(code: .unknown, reason: "test_failure", message: "\(error)", body: [], httpStatus: 0)
            }
        }
        let service = Self.service(of: method)
        guard let client = clients["\(service)/\(principal.certificate ?? "")"] else {
            return MatrixAnswer(code: .internal, reason: "no_client", message: "no client for \(service)", body: [])
        }
        var metadata = extra
        metadata.append("idempotency-key", "matrix-\(UUID().uuidString)")
        do {
            if let token = try await token(for: principal) { metadata.append("authorization", "Bearer \(token)") }
            let response = try await client.call(method, request, metadata: metadata, timeout: .seconds(30))
            return MatrixAnswer(code: .ok, reason: nil, message: "", body: response.body)
        } catch let error as RPCError {
            return MatrixAnswer(code: error.code, reason: error.reason, message: error.message, body: [])
        } catch {
            return MatrixAnswer(code: .unknown, reason: "test_failure", message: "\(error)", body: [])
        }
    }

    /// A typed call for setting the world up; any refusal is a failure.
    @discardableResult
    func invoke<Request, Response>(
        _ method: MethodDescriptor<Request, Response>, _ request: Request, as principal: MatrixPrincipal
    ) async throws -> Response {
        let answer = await call(method.fullName, request.serializedBytes(), as: principal)
        guard answer.code == .ok else {
            throw Failure(description: "set-up call \(method.fullName) as \(principal) failed: \(answer.code.name) "
                + "\(answer.reason ?? "") \(answer.message)")
        }
        return try Response(serializedBytes: answer.body)
    }

    /// The bearer token `principal` presents, `nil` for certificate and no-token principals.
    /// Forgeries are built from the acme admin's genuine token.
    func token(for principal: MatrixPrincipal) async throws -> String? {
        let holder: MatrixPrincipal = switch principal {
        case .forgedSignature, .forgedKeyID, .forgedAlgorithmNone: .acmeAdmin
        default: principal
        }
        guard let current = tokens.withLock({ $0[holder] }) else { return nil }
        guard let secret = current.secret, ContinuousClock.now - current.obtainedAt > refreshAfter else {
            return Self.presented(current.value, as: principal)
        }
        let fresh = try await authenticate(secret: secret, audience: current.audience)
        tokens.withLock { $0[holder] = Token(value: fresh, secret: secret, audience: current.audience, obtainedAt: .now) }
        return Self.presented(fresh, as: principal)
    }

    /// When `principal`'s current token was issued, `nil` when it has none.
    func tokenObtainedAt(_ principal: MatrixPrincipal) -> ContinuousClock.Instant? {
        tokens.withLock { $0[principal]?.obtainedAt }
    }

    static func presented(_ token: String, as principal: MatrixPrincipal) -> String {
        switch principal {
        case .forgedSignature: TokenForgery.replacingSignature(token)
        case .forgedKeyID: TokenForgery.replacingKeyID(token)
        case .forgedAlgorithmNone: TokenForgery.algorithmNone(token)
        default: token
        }
    }

    /// Exchanges `secret` for a token at Identity.
    func authenticate(secret: String, audience: String = "") async throws -> String {
        guard let client = clients["identity/"] else { throw Failure(description: "no identity client") }
        let response = try await client.call(IdentityMethods.authenticate, AuthenticateRequest(secret: secret, audience: audience))
        return response.token
    }

    /// Gives `principal` a token obtained otherwise (e.g. a payment token), never refreshed.
    func hold(_ principal: MatrixPrincipal, token: String) {
        tokens.withLock { $0[principal] = Token(value: token, secret: nil, audience: "", obtainedAt: .now) }
    }

    /// Gives `principal` a token from `secret`; `refreshable` false for subjects about to lose their secret.
    func login(_ principal: MatrixPrincipal, secret: String, audience: String = "", refreshable: Bool = true) async throws {
        let token = try await authenticate(secret: secret, audience: audience)
        tokens.withLock {
            $0[principal] = Token(value: token, secret: refreshable ? secret : nil, audience: audience, obtainedAt: .now)
        }
    }
}
