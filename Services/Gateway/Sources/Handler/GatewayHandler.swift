import Foundation
import PurserJSON
import PurserRPC
import PurserWire

/// An HTTP request as the gateway sees it, whatever carried it.
package struct GatewayRequest: Sendable {
    package var verb: String
    /// The request target: the path and, after `?`, the query string.
    package var target: String
    /// Header fields; names compared without case.
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(verb: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.verb = verb
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name`.
    package func header(_ name: String) -> String? { firstValue(of: name, in: headers) }
}

/// The first value of header `name` in `headers`, names compared without
/// ASCII case (field names are tokens: ASCII only).
func firstValue(of name: String, in headers: [(name: String, value: String)]) -> String? {
    headers.first { equalIgnoringASCIICase($0.name, name) }?.value
}

/// Whether `a` and `b` are the same bytes but for the case of ASCII letters.
func equalIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
    let x = a.utf8, y = b.utf8
    guard x.count == y.count else { return false }
    for (p, q) in zip(x, y) where p != q {
        let lower = p | 0x20
        guard lower == q | 0x20, lower >= UInt8(ascii: "a"), lower <= UInt8(ascii: "z") else { return false }
    }
    return true
}

/// The answer to a `GatewayRequest`.
package struct GatewayResponse: Sendable {
    package var status: Int
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of header `name` in this response.
    package func header(_ name: String) -> String? { firstValue(of: name, in: headers) }

    static func json(_ status: Int, _ value: JSONValue, extra: [(name: String, value: String)] = []) -> GatewayResponse {
        GatewayResponse(status: status, headers: [("content-type", "application/json")] + extra, body: value.serialized())
    }

    static func problem(_ problem: Problem, extra: [(name: String, value: String)] = []) -> GatewayResponse {
        GatewayResponse(status: problem.status, headers: [("content-type", "application/problem+json")] + extra,
                        body: problem.document.serialized())
    }
}

/// Translates JSON over HTTP into `purser/1` calls and their answers back:
/// the route table picks the method, `RequestBuilder` makes its request,
/// the upstream calls the service, `JSONMapping` writes the response, and
/// every refusal becomes a problem document. Holds no state of its own.
///
/// Also serves the dashboard (`/`, its assets and its session resource,
/// `GatewayHandler+Dashboard.swift`); a request to a route that takes a
/// caller's token, without `Authorization` but with the dashboard's session
/// cookie, is sent with the cookie's token (and, when it mutates, only with
/// the session's CSRF token).
///
/// Passes through to the service: `Authorization` (the caller's bearer
/// token), `Agent-Authorization` (a payment token a provider charges with),
/// `Idempotency-Key`, `X-Request-Id` and `traceparent`/`tracestate`; echoes
/// `X-Request-Id` and `traceparent` back.
package struct GatewayHandler: Sendable {
    package let mapping: JSONMapping
    package let upstream: RPCUpstream
    private let builder: RequestBuilder
    private let openAPI: [UInt8]
    private let facilitator: X402Facilitator

    /// Headers passed to the services as metadata (lowercase).
    static let forwardedHeaders = ["authorization", "agent-authorization", "idempotency-key", "x-request-id", "traceparent", "tracestate"]
    /// Response metadata echoed as headers.
    static let echoedMetadata = ["x-request-id", "traceparent"]

    /// A handler over `upstream`; the x402 facilitator settles on network `purser:<deploymentID>`.
    package init(mapping: JSONMapping, upstream: RPCUpstream, deploymentID: String = GatewaySettings.defaultDeploymentID) {
        self.mapping = mapping
        self.upstream = upstream
        builder = RequestBuilder(mapping: mapping)
        openAPI = OpenAPIDocument.make(mapping: mapping).serialized()
        facilitator = X402Facilitator(upstream: upstream, deploymentID: deploymentID)
    }

    /// The answer to `request`; never throws: every failure is a problem document.
    package func handle(_ request: GatewayRequest) async -> GatewayResponse {
        var request = request
        let (path, queryText) = Self.split(request.target)
        if let answer = await dashboard(request, path: path) { return answer }
        let echoed = Self.echoedMetadata.compactMap { name in request.header(name).map { (name: name, value: $0) } }
        switch (request.verb, path) {
        case ("GET", "/healthz"): return await health()
        case ("GET", "/v1/openapi.json"):
            return GatewayResponse(status: 200, headers: [("content-type", "application/json")], body: openAPI)
        case ("GET", "/.well-known/jwks.json"): return await signingKeys(request)
        case ("GET", "/x402/supported"): return facilitator.supported()
        case ("POST", "/x402/verify"): return await facilitator.verify(request)
        case ("POST", "/x402/settle"): return await facilitator.settle(request)
        default: break
        }
        guard let verb = HTTPVerb(rawValue: request.verb), let (route, fields) = GatewayRoutes.match(verb, path) else {
            let allowed = GatewayRoutes.pathKnown(path)
            if !allowed.isEmpty {
                return .problem(
                    Problem(status: 405, reason: "method_not_allowed", detail: "\(path) answers \(allowed.map(\.rawValue).joined(separator: ", "))"),
                    extra: [("allow", allowed.map(\.rawValue).joined(separator: ", "))] + echoed)
            }
            return .problem(Problem(status: 404, reason: "route_not_found", detail: "no route \(request.verb) \(path)"), extra: echoed)
        }
        if !route.isPublic, let refusal = authenticateByCookie(&request) { return .problem(refusal, extra: echoed) }
        if !route.verb.readsQuery, !request.body.isEmpty {
            let type = request.header("content-type").map(Self.mediaType) ?? ""
            guard type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json")) else {
                return .problem(Problem(status: 415, reason: "unsupported_media_type",
                                        detail: "the body must be application/json, not \(type.isEmpty ? "untyped" : type)"), extra: echoed)
            }
        }
        let query: [(String, String)]
        do {
            query = try Self.queryItems(queryText)
        } catch {
            return .problem(Problem(status: 400, reason: error.reason, detail: error.message), extra: echoed)
        }
        let message: [UInt8]
        do {
            message = try builder.request(route, pathFields: fields, query: query, body: request.body)
        } catch {
            var extensions = JSONObject()
            if !error.path.isEmpty { extensions["field"] = .string(error.path) }
            let status = error.reason == "internal" ? 500 : 400
            return .problem(Problem(status: status, reason: error.reason, detail: error.message, extensions: extensions), extra: echoed)
        }
        guard let method = mapping.schema.method(route.method) else {
            return .problem(Problem(status: 500, reason: "internal", detail: "\(route.method) is not in the schema"), extra: echoed)
        }
        if let key = request.header("idempotency-key"), !Metadata.isValidIdempotencyKey(key) {
            return .problem(Problem(
                status: 400, reason: "idempotency_key_invalid",
                detail: "Idempotency-Key must be 1 to \(Metadata.idempotencyKeyMaximumLength) bytes"), extra: echoed)
        }
        var metadata = Metadata()
        for name in Self.forwardedHeaders {
            if let value = request.header(name) { metadata[name] = value }
        }
        do {
            let response = try await upstream.call(
                service: route.service, method: route.method, request: message, metadata: metadata, idempotent: method.readOnly)
            let json = try mapping.decode(response.body[...], as: method.output)
            return .json(200, json, extra: Self.echo(response.metadata, or: echoed))
        } catch let error as RPCError {
            return .problem(Problem(error), extra: Self.echo(error.metadata, or: echoed))
        } catch {
            return .problem(Problem(status: 502, reason: "invalid_response", detail: "\(error)"), extra: echoed)
        }
    }

    /// `GET /healthz`: every service's `Health/Check`; 200 when all serve, 503 otherwise.
    private func health() async -> GatewayResponse {
        var services = JSONObject()
        var serving = true
        for name in upstream.serviceNames {
            var status = "UNAVAILABLE"
            if let response = try? await upstream.call(
                service: name, method: "purser.health.v1.Health/Check", request: [], metadata: [:], idempotent: true),
                let check = try? HealthCheckResponse(serializedBytes: response.body) {
                status = check.status == .serving ? "SERVING" : "NOT_SERVING"
            }
            serving = serving && status == "SERVING"
            services[name] = .string(status)
        }
        return .json(serving ? 200 : 503, .object(JSONObject([
            "status": .string(serving ? "SERVING" : "NOT_SERVING"), "services": .object(services),
        ])))
    }

    /// `GET /.well-known/jwks.json`: Identity's verification keys as a JWK set,
    /// for providers that verify agent tokens with any JWT library.
    private func signingKeys(_ request: GatewayRequest) async -> GatewayResponse {
        do {
            let response = try await upstream.call(
                service: "identity", method: "purser.identity.v1.Identity/GetSigningKeys", request: [], metadata: [:], idempotent: true)
            guard case .object(let object) = try mapping.decode(response.body[...], as: "purser.identity.v1.GetSigningKeysResponse"),
                  case .string(let jwks)? = object["jwksJson"]
            else {
                return .problem(Problem(status: 502, reason: "invalid_response", detail: "Identity answered no key set"))
            }
            return GatewayResponse(status: 200, headers: [("content-type", "application/json"), ("cache-control", "max-age=60")],
                                   body: Array(jwks.utf8))
        } catch let error as RPCError {
            return .problem(Problem(error))
        } catch {
            return .problem(Problem(status: 502, reason: "invalid_response", detail: "\(error)"))
        }
    }

    static func echo(_ metadata: Metadata, or request: [(name: String, value: String)]) -> [(name: String, value: String)] {
        echoedMetadata.compactMap { name in
            metadata[name].map { (name: name, value: $0) } ?? request.first { $0.name == name }
        }
    }

    /// The media type of a `Content-Type` value: its first non-empty part
    /// before `;`, without surrounding whitespace, lowercased.
    static func mediaType(_ contentType: String) -> String {
        guard let first = contentType.split(separator: ";").first else { return "" }
        guard first.utf8.allSatisfy({ $0 < 0x80 }) else { return first.trimmingCharacters(in: .whitespaces).lowercased() }
        // ASCII (the usual case): its only whitespace is space and tab.
        var bytes = first.utf8[...]
        while let byte = bytes.first, byte == 0x20 || byte == 0x09 { bytes = bytes.dropFirst() }
        while let byte = bytes.last, byte == 0x20 || byte == 0x09 { bytes = bytes.dropLast() }
        return String(Substring(bytes)).lowercased()
    }

    /// The path and the query string of a request target.
    static func split(_ target: String) -> (path: String, query: String) {
        guard let mark = target.firstIndex(of: "?") else { return (target, "") }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    /// `a=1&b=x%20y` decoded; `+` is a space as in forms.
    static func queryItems(_ query: String) throws(GatewayRequestError) -> [(String, String)] {
        guard !query.isEmpty else { return [] }
        var items: [(String, String)] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) throws(GatewayRequestError) -> String {
                guard let decoded = text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                    throw GatewayRequestError(reason: "query_invalid", "", "the query string has an invalid percent escape")
                }
                return decoded
            }
            items.append((try decode(parts[0]), parts.count > 1 ? try decode(parts[1]) : ""))
        }
        return items
    }
}
