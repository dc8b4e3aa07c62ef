import PurserJSON

/// The x402 version the facilitator speaks.
let x402Version = 2

/// x402 v2 `PaymentRequirements`, as a resource server states them: at verify
/// `amount` is the most the agent allows; at settle the actual charge.
struct X402Requirements: Sendable, Equatable {
    var scheme: String
    var network: String
    var asset: String
    /// Atomic units (micros) as a decimal string, as x402 writes amounts.
    var amount: String
    var payTo: String
    var maxTimeoutSeconds: Int64?
    var extra: JSONObject

    /// The requirements in `value`; `invalid_payment_requirements` unless it is an
    /// object with string `scheme`, `network`, `asset`, `amount`, `payTo`, and
    /// (when present) an integer `maxTimeoutSeconds` and an object `extra`.
    init(_ value: JSONValue?, field: String) throws(X402Refusal) {
        guard case .object(let object)? = value else { throw .malformed(field, "must be an object", reason: "invalid_payment_requirements") }
        func string(_ name: String) throws(X402Refusal) -> String {
            guard case .string(let text)? = object[name] else {
                throw .malformed("\(field).\(name)", "must be a string", reason: "invalid_payment_requirements")
            }
            return text
        }
        scheme = try string("scheme")
        network = try string("network")
        asset = try string("asset")
        amount = try string("amount")
        payTo = try string("payTo")
        switch object["maxTimeoutSeconds"] {
        case nil, .null?: maxTimeoutSeconds = nil
        case .number(let text)?:
            guard let seconds = Int64(text) else {
                throw .malformed("\(field).maxTimeoutSeconds", "must be an integer", reason: "invalid_payment_requirements")
            }
            maxTimeoutSeconds = seconds
        default: throw .malformed("\(field).maxTimeoutSeconds", "must be an integer", reason: "invalid_payment_requirements")
        }
        switch object["extra"] {
        case nil, .null?: extra = JSONObject()
        case .object(let extra)?: self.extra = extra
        default: throw .malformed("\(field).extra", "must be an object", reason: "invalid_payment_requirements")
        }
    }

    /// `amount` as micros: a decimal integer of 1 to 18 digits; `nil` otherwise.
    var amountMicros: Int64? {
        guard !amount.isEmpty, amount.utf8.count <= 18, amount.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int64(amount)
    }
}

/// x402 v2 `PaymentPayload` of the Purser scheme: `payload` carries the
/// credit attestation (and, for reading only, the hold id).
struct X402Payload: Sendable, Equatable {
    var x402Version: Int
    var accepted: X402Requirements
    /// `resource.url`, when the payload names the resource.
    var resourceURL: String?
    /// `payload.attestation`: the compact JWS from `POST /v1/x402/authorize`.
    var attestation: String

    init(_ value: JSONValue?) throws(X402Refusal) {
        guard case .object(let object)? = value else { throw .malformed("paymentPayload", "must be an object", reason: "invalid_payload") }
        x402Version = try X402Body.version(object["x402Version"], field: "paymentPayload.x402Version")
        accepted = try X402Requirements(object["accepted"], field: "paymentPayload.accepted")
        switch object["resource"] {
        case nil, .null?: resourceURL = nil
        case .object(let resource)?:
            switch resource["url"] {
            case nil, .null?: resourceURL = nil
            case .string(let url)?: resourceURL = url
            default: throw .malformed("paymentPayload.resource.url", "must be a string", reason: "invalid_payload")
            }
        default: throw .malformed("paymentPayload.resource", "must be an object", reason: "invalid_payload")
        }
        guard case .object(let payload)? = object["payload"] else {
            throw .malformed("paymentPayload.payload", "must be an object", reason: "invalid_payload")
        }
        guard case .string(let attestation)? = payload["attestation"] else {
            throw .malformed("paymentPayload.payload.attestation", "must be a string", reason: "invalid_payload")
        }
        self.attestation = attestation
    }
}

/// The body of `POST /x402/verify` and `POST /x402/settle`:
/// `{x402Version, paymentPayload, paymentRequirements}`.
struct X402Body: Sendable, Equatable {
    var x402Version: Int
    var payload: X402Payload
    var requirements: X402Requirements

    /// Parses `bytes`; a body that is not this shape is `X402Refusal.malformed` (HTTP 400).
    init(_ bytes: [UInt8]) throws(X402Refusal) {
        let value: JSONValue
        do {
            value = try JSONParser().parse(bytes)
        } catch {
            throw .malformed("", "the body is not JSON: \(error.message)", reason: error.reason)
        }
        guard case .object(let object) = value else { throw .malformed("", "the body must be a JSON object", reason: "invalid_payload") }
        x402Version = try Self.version(object["x402Version"], field: "x402Version")
        payload = try X402Payload(object["paymentPayload"])
        requirements = try X402Requirements(object["paymentRequirements"], field: "paymentRequirements")
    }

    /// An integer version field.
    static func version(_ value: JSONValue?, field: String) throws(X402Refusal) -> Int {
        guard case .number(let text)? = value, let version = Int(text) else {
            throw .malformed(field, "must be an integer", reason: "invalid_x402_version")
        }
        return version
    }
}

/// Why the facilitator refuses a payment. `malformed` bodies answer HTTP 400
/// (a problem document); every other refusal is an x402 answer with
/// `isValid`/`success` false and `reason` as `invalidReason`/`errorReason`.
struct X402Refusal: Error, Sendable, Equatable {
    var reason: String
    var message: String
    /// Set when the body itself is not an x402 request (HTTP 400).
    var field: String?

    init(_ reason: String, _ message: String) {
        self.reason = reason
        self.message = message
    }

    static func malformed(_ field: String, _ message: String, reason: String) -> X402Refusal {
        var refusal = X402Refusal(reason, field.isEmpty ? message : "\(field): \(message)")
        refusal.field = field
        return refusal
    }
}
