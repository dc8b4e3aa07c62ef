import PurserHTTP
import PurserJSON
import PurserKit
import PurserRPC

/// An error answer as an RFC 9457 problem document
/// (`application/problem+json`): `type`, `title`, `status`, `detail`, plus
/// Purser's `reason` and the refusal's details from the service's metadata
/// (`rule`; `headroom_micros` as `headroom`, a decimal string of credits, as
/// every amount of the JSON API is).
package struct Problem: Sendable, Equatable {
    package var status: Int
    package var reason: String
    package var detail: String
    /// Extra members, already mapped (`rule`, `headroom`, `available`, …).
    package var extensions: JSONObject

    package init(status: Int, reason: String, detail: String, extensions: JSONObject = JSONObject()) {
        self.status = status
        self.reason = reason
        self.detail = detail
        self.extensions = extensions
    }

    /// The problem for a service's refusal or a transport failure.
    package init(_ error: RPCError) {
        var extensions = JSONObject()
        for (key, value) in error.metadata.entries where !Problem.reservedMetadata.contains(key) {
            if key.hasSuffix("_micros"), let micros = Int64(value) {
                extensions[JSONMapping.lowerCamel(String(key.dropLast("_micros".count)))] = .string(Money(micros: micros).description)
            } else {
                extensions[JSONMapping.lowerCamel(key)] = .string(value)
            }
        }
        self.init(status: Problem.httpStatus(error.code), reason: error.reason ?? Problem.defaultReason(error.code),
                  detail: error.message, extensions: extensions)
    }

    /// Metadata that is protocol, not detail.
    static let reservedMetadata: Set<String> = ["reason", "idempotency-key", "x-request-id", "traceparent", "tracestate"]

    /// The HTTP status of a gRPC code, as grpc-gateway maps it.
    package static func httpStatus(_ code: StatusCode) -> Int {
        switch code {
        case .ok: 200
        case .cancelled: 499
        case .unknown: 500
        case .invalidArgument: 400
        case .deadlineExceeded: 504
        case .notFound: 404
        case .alreadyExists: 409
        case .permissionDenied: 403
        case .resourceExhausted: 429
        case .failedPrecondition: 400
        case .aborted: 409
        case .outOfRange: 400
        case .unimplemented: 501
        case .internal: 500
        case .unavailable: 503
        case .dataLoss: 500
        case .unauthenticated: 401
        }
    }

    static func defaultReason(_ code: StatusCode) -> String { code.name.lowercased() }

    /// The title of a status: its reason phrase.
    package static func title(_ status: Int) -> String {
        let phrase = HTTPStatus(code: status).reasonPhrase
        return phrase.isEmpty ? "Error" : phrase
    }

    /// The document: `type` names the reason's entry in the API reference.
    package var document: JSONValue {
        var object = JSONObject()
        object["type"] = .string("https://purser.dev/problems/\(reason)")
        object["title"] = .string(Problem.title(status))
        object["status"] = .integer(status)
        object["detail"] = .string(detail)
        object["reason"] = .string(reason)
        for (key, value) in extensions.members where object[key] == nil { object[key] = value }
        return .object(object)
    }
}
