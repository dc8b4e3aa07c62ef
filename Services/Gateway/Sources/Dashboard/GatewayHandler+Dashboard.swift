import Foundation
import PurserJSON
import PurserRPC

extension GatewayHandler {
    /// The dashboard's session resource (GET, POST, DELETE).
    static let dashboardSessionPath = "/v1/dashboard/session"

    /// The answer to a dashboard request (`/`, its assets, the session
    /// resource), or `nil` for every other request.
    func dashboard(_ request: GatewayRequest, path: String) async -> GatewayResponse? {
        if request.verb == "GET", let asset = DashboardAssets.asset(at: path) {
            if let tag = request.header("if-none-match"), tag == asset.etag {
                return GatewayResponse(status: 304, headers: DashboardAssets.headers(for: asset))
            }
            return GatewayResponse(status: 200, headers: DashboardAssets.headers(for: asset), body: asset.body)
        }
        guard path == Self.dashboardSessionPath else { return nil }
        switch request.verb {
        case "POST": return await signIn(request)
        case "GET": return await describeSession(request)
        case "DELETE": return await signOut(request)
        default:
            return .problem(
                Problem(status: 405, reason: "method_not_allowed", detail: "\(path) answers GET, POST, DELETE"),
                extra: [("allow", "GET, POST, DELETE")])
        }
    }

    /// Puts the session cookie's token in `authorization` for a request that
    /// carries no token of its own; a mutating one must also carry the
    /// session's CSRF token. Answers the refusal, or `nil` to go on.
    func authenticateByCookie(_ request: inout GatewayRequest) -> Problem? {
        guard request.header("authorization") == nil, let token = DashboardSession.token(cookies: request.headers) else { return nil }
        if request.verb != "GET" && request.verb != "HEAD" {
            guard let presented = request.header(DashboardSession.csrfHeader) else {
                return Problem(status: 403, reason: "csrf_token_missing",
                               detail: "a request signed in by the session cookie must carry X-CSRF-Token")
            }
            guard DashboardSession.csrfMatches(presented, sessionToken: token) else {
                return Problem(status: 403, reason: "csrf_token_invalid", detail: "X-CSRF-Token is not this session's")
            }
        }
        request.headers.append((name: "authorization", value: "Bearer " + token))
        return nil
    }

    /// `POST /v1/dashboard/session` `{"secret": …}`: exchanges a tenant admin
    /// or finance key's secret, or an agent's, at Identity/Authenticate for a
    /// session cookie; answers the session's description with its CSRF token.
    private func signIn(_ request: GatewayRequest) async -> GatewayResponse {
        guard case .object(let body)? = try? JSONParser().parse(request.body), case .string(let secret)? = body["secret"],
              !secret.isEmpty
        else {
            return .problem(Problem(status: 400, reason: "secret_required", detail: "send {\"secret\": \"purser_sk_…\" or \"purser_ak_…\"}"))
        }
        do {
            let message = try mapping.encode(.object(JSONObject(["secret": .string(secret)])), as: "purser.identity.v1.AuthenticateRequest")
            let response = try await upstream.call(
                service: "identity", method: "purser.identity.v1.Identity/Authenticate", request: message, metadata: [:], idempotent: false)
            guard case .object(let answer) = try mapping.decode(response.body[...], as: "purser.identity.v1.AuthenticateResponse"),
                  case .string(let token)? = answer["token"], let claims = DashboardSession.claims(of: token),
                  case .string(let role)? = claims["role"], case .number(let exp)? = claims["exp"], let expiresAt = Int64(exp)
            else {
                return .problem(Problem(status: 502, reason: "invalid_response", detail: "Identity answered no usable token"))
            }
            guard DashboardSession.roles.contains(role) else {
                return .problem(Problem(status: 403, reason: "dashboard_role_not_allowed",
                                        detail: "the dashboard signs in tenant admin and finance keys and agents, not \(role)"))
            }
            let maxAge = expiresAt - Int64(Date().timeIntervalSince1970)
            return .json(200, Self.sessionDescription(token: token, claims: claims),
                         extra: [("set-cookie", DashboardSession.setCookie(token: token, maxAge: maxAge)), ("cache-control", "no-store")])
        } catch let error as RPCError {
            return .problem(Problem(error))
        } catch {
            return .problem(Problem(status: 502, reason: "invalid_response", detail: "\(error)"))
        }
    }

    /// `GET /v1/dashboard/session`: who the cookie signs in (subject, tenant,
    /// role, expiry) and its CSRF token, once a service has accepted the
    /// token (Identity's GetAgent of itself for an agent, GetTenant for admin
    /// and finance, whose answer comes along as `agent` or `tenant`), so an
    /// ended, expired or revoked session answers 401 and the cookie is removed.
    private func describeSession(_ request: GatewayRequest) async -> GatewayResponse {
        guard let token = DashboardSession.token(cookies: request.headers), let claims = DashboardSession.claims(of: token),
              case .string(let role)? = claims["role"], case .string(let subject)? = claims["sub"]
        else {
            return .problem(Problem(status: 401, reason: "session_missing", detail: "not signed in"),
                            extra: [("set-cookie", DashboardSession.clearCookie)])
        }
        var tenantID = ""
        if case .string(let tenant)? = claims["tenant"] { tenantID = tenant }
        let check: (method: String, input: String, output: String, key: String, fields: JSONObject) = role == "agent"
            ? ("purser.identity.v1.Identity/GetAgent", "purser.identity.v1.GetAgentRequest", "purser.identity.v1.Agent", "agent",
               JSONObject(["tenantId": .string(tenantID), "agentId": .string(subject)]))
            : ("purser.identity.v1.Identity/GetTenant", "purser.identity.v1.GetTenantRequest", "purser.identity.v1.Tenant", "tenant",
               JSONObject(["tenantId": .string(tenantID)]))
        var metadata = Metadata()
        metadata["authorization"] = "Bearer " + token
        var description = Self.sessionDescription(token: token, claims: claims)
        do {
            let answer = try await upstream.call(
                service: "identity", method: check.method, request: try mapping.encode(.object(check.fields), as: check.input),
                metadata: metadata, idempotent: true)
            if case .object(var object) = description {
                object[check.key] = try mapping.decode(answer.body[...], as: check.output)
                description = .object(object)
            }
        } catch let error as RPCError {
            let problem = Problem(error)
            let ended = problem.status == 401 || problem.status == 403
            return .problem(problem, extra: ended ? [("set-cookie", DashboardSession.clearCookie)] : [])
        } catch {
            return .problem(Problem(status: 502, reason: "invalid_response", detail: "\(error)"))
        }
        return .json(200, description, extra: [("cache-control", "no-store")])
    }

    /// `DELETE /v1/dashboard/session` (with the CSRF token): ends the token at
    /// Identity/EndSession, so every service refuses it from then on, and
    /// removes the cookie.
    private func signOut(_ request: GatewayRequest) async -> GatewayResponse {
        guard let token = DashboardSession.token(cookies: request.headers) else {
            return .problem(Problem(status: 401, reason: "session_missing", detail: "not signed in"),
                            extra: [("set-cookie", DashboardSession.clearCookie)])
        }
        guard DashboardSession.csrfMatches(request.header(DashboardSession.csrfHeader), sessionToken: token) else {
            let missing = request.header(DashboardSession.csrfHeader) == nil
            return .problem(Problem(status: 403, reason: missing ? "csrf_token_missing" : "csrf_token_invalid",
                                    detail: "signing out needs this session's X-CSRF-Token"))
        }
        do {
            let message = try mapping.encode(.object(JSONObject(["token": .string(token)])), as: "purser.identity.v1.EndSessionRequest")
            _ = try await upstream.call(
                service: "identity", method: "purser.identity.v1.Identity/EndSession", request: message, metadata: [:], idempotent: true)
        } catch let error as RPCError where error.code == .unauthenticated {
            // Already ended, expired or revoked: nothing left to end.
        } catch let error as RPCError {
            return .problem(Problem(error))
        } catch {
            return .problem(Problem(status: 502, reason: "invalid_response", detail: "\(error)"))
        }
        return .json(200, .object(JSONObject(["signedOut": .bool(true)])),
                     extra: [("set-cookie", DashboardSession.clearCookie), ("cache-control", "no-store")])
    }

    /// The session as the page reads it.
    static func sessionDescription(token: String, claims: JSONObject) -> JSONValue {
        var description = JSONObject()
        description["subject"] = claims["sub"] ?? .string("")
        description["tenantId"] = claims["tenant"] ?? .string("")
        description["role"] = claims["role"] ?? .string("")
        description["expiresAt"] = claims["exp"] ?? .number("0")
        description["csrfToken"] = .string(DashboardSession.csrfToken(for: token))
        return .object(description)
    }
}
