import Foundation
import PurserAPI
import PurserAuth
import PurserJSON
import PurserRPC

/// The x402 v2 facilitator on Purser credits (`/x402/supported`,
/// `/x402/verify`, `/x402/settle`), with the shapes of the x402 v2
/// specification, section 7.
///
/// Verify and settle are the resource server's calls, made as the provider
/// that is paid: its bearer token is checked first (Identity, as
/// `GetProvider` of itself; an accepted token is remembered until it expires,
/// at most a minute, `ProviderTokenCache`), so anyone else is refused before
/// the body is looked at (401, or 403 `permission_denied` for another kind of
/// caller).
/// Then `CreditVerifier` checks the payload offline, and:
/// - verify reads the hold (`Wallet/GetHold`, as the provider: another
///   provider's hold is `not_payee`) and answers valid only while it is open;
/// - settle captures `paymentRequirements.amount` of the hold (`"0"` voids
///   it) through the Wallet as the provider, with idempotency key
///   `x402-settle:<hold>`: a replayed payload settles once and answers the
///   first settlement again; another amount for a settled hold, or a hold no
///   longer open, is `invalid_transaction_state`.
struct X402Facilitator: Sendable {
    let upstream: RPCUpstream
    let verifier: CreditVerifier
    let keys: SigningKeyCache
    let tokens = ProviderTokenCache()

    init(upstream: RPCUpstream, deploymentID: String) {
        self.upstream = upstream
        verifier = CreditVerifier(network: "purser:\(deploymentID)")
        keys = SigningKeyCache(upstream: upstream)
    }

    /// `GET /x402/supported`: the one kind served (no signers: nothing is signed on a chain).
    func supported() -> GatewayResponse {
        .json(200, .object(JSONObject([
            "kinds": .array([.object(JSONObject([
                "x402Version": .integer(x402Version), "scheme": .string(purserScheme), "network": .string(verifier.network),
                "extra": .object(JSONObject(["assetTransferMethod": .string("purser-credit")])),
            ]))]),
            "extensions": .array([]),
            "signers": .object(JSONObject()),
        ])))
    }

    /// `POST /x402/verify`.
    func verify(_ request: GatewayRequest) async -> GatewayResponse {
        let provider: String
        let body: X402Body
        switch await admit(request) {
        case .refused(let response): return response
        case .admitted(let caller, let parsed): (provider, body) = (caller, parsed)
        }
        var metadata = Metadata()
        metadata["authorization"] = request.header("authorization")
        do {
            let credit = try await check(body)
            var hold = GetHoldRequest()
            hold.tenantID = credit.attestation.tenant
            hold.holdID = credit.attestation.holdID
            let found: Hold
            do {
                let response = try await upstream.call(
                    service: "wallet", method: WalletMethods.getHold.fullName, request: hold.serializedBytes(), metadata: metadata,
                    idempotent: true)
                found = try Hold(serializedBytes: response.body)
            } catch let error as RPCError where error.code == .notFound {
                throw X402Refusal("not_payee", "provider \(provider) is not this payment's payee")
            }
            guard found.status == .pending else {
                throw X402Refusal("invalid_transaction_state", "the hold is \(Self.name(found.status)), not open")
            }
            guard found.agentID == credit.attestation.subject, found.amountMicros == credit.heldMicros else {
                throw X402Refusal("invalid_payload", "the hold is not the attested one")
            }
            return .json(200, .object(JSONObject(["isValid": .bool(true), "payer": .string(credit.attestation.subject)])))
        } catch let refusal as X402Refusal {
            return .json(200, .object(JSONObject([
                "isValid": .bool(false), "invalidReason": .string(refusal.reason), "invalidMessage": .string(refusal.message),
            ])))
        } catch let error as RPCError {
            return .problem(Problem(error))
        } catch {
            return .problem(Problem(status: 502, reason: "invalid_response", detail: "\(error)"))
        }
    }

    /// `POST /x402/settle`.
    func settle(_ request: GatewayRequest) async -> GatewayResponse {
        let body: X402Body
        switch await admit(request) {
        case .refused(let response): return response
        case .admitted(_, let parsed): body = parsed
        }
        var metadata = Metadata()
        metadata["authorization"] = request.header("authorization")
        var payer = ""
        do {
            let credit = try await check(body)
            payer = credit.attestation.subject
            metadata["idempotency-key"] = "x402-settle:\(credit.attestation.holdID)"
            let transaction: String, settled: Int64
            do {
                if credit.requiredMicros == 0 {
                    var void = VoidRequest()
                    void.tenantID = credit.attestation.tenant
                    void.holdID = credit.attestation.holdID
                    let response = try await upstream.call(
                        service: "wallet", method: WalletMethods.void.fullName, request: void.serializedBytes(), metadata: metadata,
                        idempotent: false)
                    _ = try VoidResponse(serializedBytes: response.body)
                    (transaction, settled) = (credit.attestation.holdID, 0)
                } else {
                    var capture = CaptureRequest()
                    capture.tenantID = credit.attestation.tenant
                    capture.holdID = credit.attestation.holdID
                    capture.amountMicros = credit.requiredMicros
                    let response = try await upstream.call(
                        service: "wallet", method: WalletMethods.capture.fullName, request: capture.serializedBytes(),
                        metadata: metadata, idempotent: false)
                    let captured = try CaptureResponse(serializedBytes: response.body)
                    (transaction, settled) = (captured.entryID, captured.capturedMicros)
                }
            } catch let error as RPCError {
                throw Self.refusal(error)
            }
            return .json(200, .object(JSONObject([
                "success": .bool(true), "payer": .string(payer), "transaction": .string(transaction),
                "network": .string(verifier.network), "amount": .string(String(settled)),
            ])))
        } catch let refusal as X402Refusal {
            var answer = JSONObject([
                "success": .bool(false), "errorReason": .string(refusal.reason), "errorMessage": .string(refusal.message),
                "transaction": .string(""), "network": .string(verifier.network),
            ])
            if !payer.isEmpty { answer["payer"] = .string(payer) }
            return .json(200, .object(answer))
        } catch let error as RPCError {
            return .problem(Problem(error))
        } catch {
            return .problem(Problem(status: 502, reason: "invalid_response", detail: "\(error)"))
        }
    }

    /// The attestation checked against the requirements with Identity's current keys.
    private func check(_ body: X402Body) async throws -> VerifiedCredit {
        let keyID = CreditAttestation.keyID(of: body.payload.attestation)
        let keys = try await self.keys.keys(holding: keyID)
        return try verifier.verify(body, keys: keys, now: Int64(Date().timeIntervalSince1970))
    }

    /// A Wallet refusal of a settlement as an x402 refusal.
    static func refusal(_ error: RPCError) -> Error {
        switch error.reason {
        case "not_found": X402Refusal("not_payee", "the caller is not this payment's payee")
        case "hold_already_captured", "hold_voided", "idempotency_conflict":
            X402Refusal("invalid_transaction_state", "the hold is no longer open (\(error.reason ?? ""))")
        case "hold_expired": X402Refusal("attestation_expired", "the hold expired")
        case "amount_exceeds_hold": X402Refusal("amount_exceeds_hold", error.message)
        default: error
        }
    }

    static func name(_ status: HoldStatus) -> String {
        switch status {
        case .pending: "pending"
        case .captured: "captured"
        case .voided: "voided"
        case .expired: "expired"
        default: "unknown"
        }
    }

    private enum Admission {
        case admitted(provider: String, body: X402Body)
        case refused(GatewayResponse)
    }

    /// The calling provider and the parsed body, or the refusal to send:
    /// 401 without a valid token, 403 for a caller that is no provider, 415
    /// for a body that is not JSON, 400 for one that is not an x402 request.
    private func admit(_ request: GatewayRequest) async -> Admission {
        guard let authorization = request.header("authorization") else {
            return .refused(.problem(Problem(status: 401, reason: "token_missing", detail: "the payee provider's bearer token is required")))
        }
        let now = Int64(Date().timeIntervalSince1970)
        let provider: String
        if let known = tokens.provider(of: authorization, now: now) {
            provider = known
        } else {
            let claims = Self.unverifiedClaims(authorization)
            var metadata = Metadata()
            metadata["authorization"] = authorization
            do {
                _ = try await upstream.call(
                    service: "identity", method: IdentityMethods.getProvider.fullName,
                    request: GetProviderRequest(providerID: claims.subject).serializedBytes(), metadata: metadata, idempotent: true)
            } catch {
                if error.code == .unauthenticated || claims.role == "provider" { return .refused(.problem(Problem(error))) }
            }
            guard claims.role == "provider" else {
                return .refused(.problem(Problem(status: 403, reason: "permission_denied", detail: "only the payee provider verifies and settles")))
            }
            tokens.insert(authorization, provider: claims.subject, expiresAt: claims.expiresAt, now: now)
            provider = claims.subject
        }
        let type = request.header("content-type")?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        guard type == "application/json" else {
            return .refused(.problem(Problem(status: 415, reason: "unsupported_media_type", detail: "the body must be application/json")))
        }
        do {
            return .admitted(provider: provider, body: try X402Body(request.body))
        } catch {
            var extensions = JSONObject()
            if let field = error.field, !field.isEmpty { extensions["field"] = .string(field) }
            return .refused(.problem(Problem(status: 400, reason: error.reason, detail: error.message, extensions: extensions)))
        }
    }

    /// `sub`, `role` and `exp` of a bearer token, read without verification (Identity verifies it next).
    static func unverifiedClaims(_ authorization: String) -> (subject: String, role: String, expiresAt: Int64) {
        let token = authorization.hasPrefix("Bearer ") ? String(authorization.dropFirst(7)) : authorization
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(parts[1]), payload.count <= 8192,
              case .object(let claims)? = try? JSONParser().parse(payload)
        else { return ("", "", 0) }
        var subject = "", role = "", expiresAt: Int64 = 0
        if case .string(let text)? = claims["sub"] { subject = text }
        if case .string(let text)? = claims["role"] { role = text }
        if case .number(let text)? = claims["exp"] { expiresAt = Int64(text) ?? 0 }
        return (subject, role, expiresAt)
    }
}
