import PurserJSON

/// The OpenAPI description of the x402 facilitator's routes (`/x402/*`),
/// which are x402's shapes rather than `purser/1` messages: written here,
/// next to the code that reads and writes them, and merged into the
/// document by `OpenAPIDocument.make`.
enum X402OpenAPI {
    /// The path items, by path.
    static var paths: [(String, JSONValue)] {
        [
            ("/x402/supported", .object(JSONObject(["get": operation(
                "x402Supported", "What the facilitator settles: scheme upto on network purser:<deployment id>.",
                body: nil, response: "x402.SupportedResponse", secured: false)]))),
            ("/x402/verify", .object(JSONObject(["post": operation(
                "x402Verify", """
                    Verifies a payment of the Purser scheme as the payee provider: the credit attestation against \
                    Identity's keys and the requirements, and that its hold is still open. An invalid payment answers \
                    200 with isValid false and invalidReason.
                    """, body: "x402.FacilitatorRequest", response: "x402.VerifyResponse", secured: true)]))),
            ("/x402/settle", .object(JSONObject(["post": operation(
                "x402Settle", """
                    Settles a payment as the payee provider: captures paymentRequirements.amount (at most the \
                    attested amount; "0" releases the hold), once per hold: a replay answers the first settlement.
                    """, body: "x402.FacilitatorRequest", response: "x402.SettleResponse", secured: true)]))),
        ]
    }

    /// The component schemas the paths name.
    static var schemas: [(String, JSONValue)] {
        let string = JSONValue.object(JSONObject(["type": .string("string")]))
        let integer = JSONValue.object(JSONObject(["type": .string("integer")]))
        let boolean = JSONValue.object(JSONObject(["type": .string("boolean")]))
        let anyObject = JSONValue.object(JSONObject(["type": .string("object")]))
        return [
            ("x402.PaymentRequirements", object(
                ["scheme": string, "network": string, "asset": string,
                 "amount": .object(JSONObject(["type": .string("string"), "description": .string("Micros, a decimal integer.")])),
                 "payTo": string, "maxTimeoutSeconds": integer, "extra": anyObject],
                required: ["scheme", "network", "asset", "amount", "payTo"])),
            ("x402.PaymentPayload", object(
                ["x402Version": integer, "accepted": ref("x402.PaymentRequirements"),
                 "resource": object(["url": string], required: []),
                 "payload": object(["attestation": string, "holdId": string], required: ["attestation"]),
                 "extensions": anyObject],
                required: ["x402Version", "accepted", "payload"])),
            ("x402.FacilitatorRequest", object(
                ["x402Version": integer, "paymentPayload": ref("x402.PaymentPayload"),
                 "paymentRequirements": ref("x402.PaymentRequirements")],
                required: ["x402Version", "paymentPayload", "paymentRequirements"])),
            ("x402.VerifyResponse", object(
                ["isValid": boolean, "invalidReason": string, "invalidMessage": string, "payer": string], required: ["isValid"])),
            ("x402.SettleResponse", object(
                ["success": boolean, "errorReason": string, "errorMessage": string, "payer": string, "transaction": string,
                 "network": string, "amount": string],
                required: ["success", "transaction", "network"])),
            ("x402.SupportedResponse", object(
                ["kinds": .object(JSONObject(["type": .string("array"), "items": object(
                    ["x402Version": integer, "scheme": string, "network": string, "extra": anyObject],
                    required: ["x402Version", "scheme", "network"])])),
                 "extensions": .object(JSONObject(["type": .string("array"), "items": string])),
                 "signers": anyObject],
                required: ["kinds", "extensions", "signers"])),
        ]
    }

    static func operation(_ id: String, _ description: String, body: String?, response: String, secured: Bool) -> JSONValue {
        var operation = JSONObject()
        operation["operationId"] = .string(id)
        operation["tags"] = .array([.string("x402")])
        operation["summary"] = .string(OpenAPIDocument.firstSentence(description, or: id))
        operation["description"] = .string(description)
        if let body {
            operation["requestBody"] = .object(JSONObject([
                "required": .bool(true),
                "content": .object(JSONObject(["application/json": .object(JSONObject(["schema": ref(body)]))])),
            ]))
        }
        operation["responses"] = .object(JSONObject([
            "200": .object(JSONObject([
                "description": .string("OK"),
                "content": .object(JSONObject(["application/json": .object(JSONObject(["schema": ref(response)]))])),
            ])),
            "default": .object(JSONObject([
                "description": .string("A refusal or failure, as an RFC 9457 problem document"),
                "content": .object(JSONObject([
                    "application/problem+json": .object(JSONObject(["schema": .object(JSONObject(["$ref": .string("#/components/schemas/Problem")]))])),
                ])),
            ])),
        ]))
        if secured { operation["security"] = .array([.object(JSONObject(["bearer": .array([])]))]) }
        return .object(operation)
    }

    static func ref(_ name: String) -> JSONValue { .object(JSONObject(["$ref": .string("#/components/schemas/\(name)")])) }

    static func object(_ properties: KeyValuePairs<String, JSONValue>, required: [String]) -> JSONValue {
        var object = JSONObject()
        object["type"] = .string("object")
        object["properties"] = .object(JSONObject(properties))
        if !required.isEmpty { object["required"] = .array(required.map { .string($0) }) }
        return .object(object)
    }
}
