import Foundation
import PurserAPI
import PurserGateway
import PurserHTTP
import PurserJSON
import PurserRPC
import PurserTestSupport

/// The authorization matrix's calls made over HTTP through `purser-gateway`
/// instead of `purser/1`: the same request message, written as the route's
/// path, query and JSON body, with the principal's token as
/// `Authorization: Bearer`; the answer is the HTTP status and the problem's
/// `reason`.
final class MatrixGateway: Sendable {
    let client: HTTPClient
    let mapping: JSONMapping

    init(port: Int) throws {
        client = try HTTPClient(configuration: HTTPClientConfiguration(
            host: "127.0.0.1", port: port, tls: .client(trustRootsPath: try TestEnvironment.certificate("ca")),
            serverName: "localhost", requestTimeout: .seconds(30)))
        mapping = JSONMapping(schema: try ProtoSchema.embedded())
    }

    func close() { client.shutdown() }

    /// The methods the gateway serves, in the matrix's order.
    static var servedMethods: [String] {
        let served = Set(GatewayRoutes.all.map(\.method))
        return AccessExpectations.publishedMethods.filter(served.contains)
    }

    /// Calls `method`'s route with `request` (protobuf bytes) as the bearer of
    /// `token`; never throws: every answer is returned.
    func call(_ method: String, _ request: [UInt8], token: String?, extra: Metadata) async -> MatrixAnswer {
        do {
            let http = try httpRequest(method, request, token: token, extra: extra)
            let response = try await client.execute(http)
            let status = response.status.code
            guard status != 200 else { return MatrixAnswer(code: .ok, reason: nil, message: "", body: response.body, httpStatus: 200) }
            guard case .object(let problem) = try JSONParser().parse(response.body) else {
                return MatrixAnswer(code: .unknown, reason: "not_a_problem", message: response.bodyText, body: [], httpStatus: status)
            }
            var reason: String?
            var detail = ""
            if case .string(let text)? = problem["reason"] { reason = text }
            if case .string(let text)? = problem["detail"] { detail = text }
            return MatrixAnswer(code: .unknown, reason: reason, message: detail, body: response.body, httpStatus: status)
        } catch {
            return MatrixAnswer(code: .unknown, reason: "test_failure", message: "\(error)", body: [], httpStatus: 0)
        }
    }

    struct Unmapped: Error, CustomStringConvertible {
        let description: String
    }

    /// The set fields of `object` as `name=value` query items; a nested
    /// message's fields as `name.field=value`.
    static func queryItems(_ object: JSONObject, prefix: String) -> [String] {
        object.members.flatMap { key, value -> [String] in
            let text: String
            switch value {
            case .string(let string): text = string
            case .number(let number): text = number
            case .bool(let flag): text = flag ? "true" : "false"
            case .object(let nested): return queryItems(nested, prefix: prefix + key + ".")
            default: return []
            }
            guard !text.isEmpty, text != "0", text != "false" else { return [] }
            return ["\(prefix)\(key)=\(text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text)"]
        }
    }

    /// `request` as its route's HTTP request: path fields in the path, the
    /// other fields in the query (GET, DELETE) or the JSON body.
    func httpRequest(_ method: String, _ request: [UInt8], token: String?, extra: Metadata) throws -> HTTPClientRequest {
        guard let route = GatewayRoutes.all.first(where: { $0.method == method }),
              let input = mapping.schema.method(method)?.input else { throw Unmapped(description: "no route for \(method)") }
        guard case .object(var fields) = try mapping.decode(request[...], as: input) else {
            throw Unmapped(description: "\(method): the request is not an object")
        }
        var path = route.path
        for name in route.pathFields {
            let key = JSONMapping.lowerCamel(name)
            guard case .string(let value)? = fields[key] else { throw Unmapped(description: "\(method): no \(key) for the path") }
            fields[key] = nil
            path = path.replacingOccurrences(
                of: "{\(name)}", with: value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? value)
        }
        var headers = HTTPHeaders()
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (key, value) in extra { headers.add(name: key, value: value) }
        if route.verb.readsQuery {
            let query = Self.queryItems(fields, prefix: "")
            return HTTPClientRequest(method: route.verb.rawValue, target: query.isEmpty ? path : path + "?" + query.joined(separator: "&"),
                                     headers: headers)
        }
        headers.add(name: "Content-Type", value: "application/json")
        return HTTPClientRequest(method: route.verb.rawValue, target: path, headers: headers,
                                 body: .bytes(JSONValue.object(fields).serialized()))
    }
}
