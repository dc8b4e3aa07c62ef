import PurserAPI
import PurserJSON
import PurserKit
import PurserWire
import Testing
@testable import PurserGateway

@Suite struct JSONMappingTests {
    let mapping: JSONMapping

    init() throws {
        mapping = JSONMapping(schema: try DescriptorSetFixture.schema.get())
    }

    func json(_ text: String) throws -> JSONValue { try JSONParser().parse(text) }

    @Test func theSchemaHoldsEveryServiceAndItsMethods() throws {
        let schema = mapping.schema
        let services = Set(schema.services.map(\.name))
        #expect(services.isSuperset(of: ["purser.identity.v1.Identity", "purser.wallet.v1.Wallet", "purser.policy.v1.Policy",
                                         "purser.settlement.v1.Settlement", "purser.email.v1.EmailAlias"]))
        let authorize = try #require(schema.method("purser.wallet.v1.Wallet/Authorize"))
        #expect(authorize.input == "purser.wallet.v1.AuthorizeRequest")
        #expect(authorize.output == "purser.wallet.v1.AuthorizeResponse")
        for name in WalletMethods.allNames + IdentityMethods.allNames {
            #expect(schema.method(name) != nil, "\(name) is not in the descriptor set")
        }
        let request = try #require(schema.messages["purser.wallet.v1.AuthorizeRequest"])
        #expect(request.fields.map(\.name).prefix(2) == ["amount_micros", "provider_id"])
        #expect(request.fields.first { $0.name == "category" }?.comment == "Defaults to the provider's default category.")
        let metadata = try #require(schema.messages["purser.identity.v1.CreateAgentRequest"]?.fields.first { $0.name == "metadata" })
        #expect(metadata.cardinality == .map(key: .string, value: .string))
    }

    @Test func descriptionsLeaveOutTheLinesThatNameSwiftTypes() throws {
        let schema = mapping.schema
        #expect(schema.messages["purser.email.v1.Header"]?.comment == "One header field, unfolded.")
        #expect(schema.messages["purser.identity.v1.SuspendAgentRequest"]?.comment == "")
        let health = try #require(schema.services.first { $0.name == "purser.health.v1.Health" })
        #expect(health.comment == "")
    }

    @Test func anAuthorizeBodyBecomesTheRequestTheWalletDecodes() throws {
        let body = try json(#"{"amount":"0.003","providerId":"p-1","category":"search","holdTtlSeconds":60}"#)
        let bytes = try mapping.encode(body, as: "purser.wallet.v1.AuthorizeRequest")
        let request = try AuthorizeRequest(serializedBytes: bytes)
        #expect(request.amountMicros == 3_000)
        #expect(request.providerID == "p-1")
        #expect(request.category == "search")
        #expect(request.holdTTLSeconds == 60)
        // Proto field names are accepted too, as the proto3 mapping says.
        let byProtoName = try mapping.encode(try json(#"{"amount":"2","provider_id":"p-2"}"#), as: "purser.wallet.v1.AuthorizeRequest")
        #expect(try AuthorizeRequest(serializedBytes: byProtoName).amountMicros == 2_000_000)
    }

    @Test func aBalanceBecomesJSONWithAmountsAsDecimalStrings() throws {
        var balance = WalletBalance()
        balance.agentID = "a-1"
        balance.balanceMicros = 12_500_000
        balance.heldMicros = 3_000
        balance.availableMicros = 12_497_000
        balance.currency = "USD"
        balance.asOfUs = 1_764_000_000_123_456
        balance.status = .frozen
        let value = try mapping.decode(balance.serializedBytes()[...], as: "purser.wallet.v1.WalletBalance")
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object["balance"] == .string("12.5"))
        #expect(object["held"] == .string("0.003"))
        #expect(object["available"] == .string("12.497"))
        #expect(object["currency"] == .string("USD"))
        #expect(object["asOfUs"] == .string("1764000000123456"))
        #expect(object["status"] == .string("ACCOUNT_STATUS_FROZEN"))
        #expect(object["agentId"] == .string("a-1"))
        #expect(object["accountId"] == .string(""), "defaults are written, so every answer has one shape")
        #expect(object["balanceMicros"] == nil)
    }

    @Test func repeatedMessagesMapsEnumsAndOptionalsRoundTrip() throws {
        var response = ListEntriesResponse()
        var entry = WalletEntry()
        entry.entryID = "e-1"
        entry.kind = .capture
        entry.amountMicros = -1
        response.entries = [entry, WalletEntry()]
        response.nextPageToken = "next"
        let json = try mapping.decode(response.serializedBytes()[...], as: "purser.wallet.v1.ListEntriesResponse")
        let back = try ListEntriesResponse(serializedBytes: try mapping.encode(json, as: "purser.wallet.v1.ListEntriesResponse"))
        #expect(back == response)
        #expect(json.text.contains(#""amount":"-0.000001""#))
        #expect(json.text.contains(#""kind":"LEDGER_ENTRY_KIND_CAPTURE""#))

        var agent = CreateAgentRequest()
        agent.handle = "scout"
        agent.metadata = ["team": "research", "tier": ""]
        let agentJSON = try mapping.decode(agent.serializedBytes()[...], as: "purser.identity.v1.CreateAgentRequest")
        #expect(try CreateAgentRequest(serializedBytes: try mapping.encode(agentJSON, as: "purser.identity.v1.CreateAgentRequest")) == agent)

        var capture = CaptureRequest()
        capture.holdID = "h"
        let absent = try mapping.decode(capture.serializedBytes()[...], as: "purser.wallet.v1.CaptureRequest")
        if case .object(let object) = absent { #expect(object["amount"] == nil, "an absent optional is not written") }
        capture.amountMicros = 0
        let present = try mapping.decode(capture.serializedBytes()[...], as: "purser.wallet.v1.CaptureRequest")
        if case .object(let object) = present { #expect(object["amount"] == .string("0"), "a present optional is, even at zero") }
        #expect(try CaptureRequest(serializedBytes: try mapping.encode(present, as: "purser.wallet.v1.CaptureRequest")) == capture)
    }

    @Test(arguments: [
        (#"{"amount":0.003}"#, "amount_not_string", "amount"),
        (#"{"amount":"0.0000001"}"#, "amount_invalid", "amount"),
        (#"{"amount":"1e3"}"#, "amount_invalid", "amount"),
        (#"{"amount":"99999999999999999999"}"#, "amount_invalid", "amount"),
        (#"{"providerId":12}"#, "json_field_type", "providerId"),
        (#"{"holdTtlSeconds":"2147483648"}"#, "json_integer_invalid", "holdTtlSeconds"),
        (#"{"holdTtlSeconds":1.5}"#, "json_integer_invalid", "holdTtlSeconds"),
        (#"{"holdTtlSeconds":true}"#, "json_field_type", "holdTtlSeconds"),
        (#"{"amountMicros":"1"}"#, "json_field_unknown", "amountMicros"),
        (#"{"nope":1}"#, "json_field_unknown", "nope"),
        (#"{"providerId":"a","provider_id":"b"}"#, "json_field_duplicate", "provider_id"),
        (#"[1]"#, "json_field_type", ""),
    ])
    func badBodiesAreRefusedNamingTheField(body: String, reason: String, path: String) throws {
        do {
            _ = try mapping.encode(try json(body), as: "purser.wallet.v1.AuthorizeRequest")
            Issue.record("\(body) was accepted")
        } catch let error as JSONMappingError {
            #expect(error.reason == reason, "\(body): \(error)")
            #expect(error.path == path, "\(body): \(error)")
        }
    }

    @Test func enumsAreReadByNameOrNumberAndUnknownNamesRefused() throws {
        let name = try mapping.encode(try json(#"{"kind":"LEDGER_ENTRY_KIND_REFUND"}"#), as: "purser.wallet.v1.WalletEntry")
        #expect(try WalletEntry(serializedBytes: name).kind == .refund)
        let number = try mapping.encode(try json(#"{"kind":4}"#), as: "purser.wallet.v1.WalletEntry")
        #expect(try WalletEntry(serializedBytes: number).kind == .capture)
        #expect(throws: JSONMappingError.self) { try mapping.encode(try json(#"{"kind":"REFUND"}"#), as: "purser.wallet.v1.WalletEntry") }
    }

    /// Every message of the schema: a random instance built from the schema
    /// reads back to the same JSON after protobuf and back.
    @Test func everyMessageRoundTripsThroughProtobuf() throws {
        var random = SeededRandom(seed: 20261202)
        for name in mapping.schema.messages.keys.sorted() {
            for _ in 0..<5 {
                let value = randomMessage(name, &random, depth: 0)
                let once = try mapping.decode(try mapping.encode(value, as: name)[...], as: name)
                let twice = try mapping.decode(try mapping.encode(once, as: name)[...], as: name)
                #expect(once == twice, "\(name): \(value.text) → \(once.text) → \(twice.text)")
                guard case .object(let input) = value, case .object(let output) = once else { continue }
                for key in input.keys { #expect(output[key] != nil, "\(name).\(key) was lost") }
            }
        }
    }

    struct SeededRandom: RandomNumberGenerator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func randomMessage(_ name: String, _ random: inout SeededRandom, depth: Int) -> JSONValue {
        var object = JSONObject()
        for field in mapping.schema.messages[name]?.fields ?? [] where Bool.random(using: &random) {
            let key = JSONMapping.jsonName(of: field)
            switch field.cardinality {
            case .singular, .optional:
                guard let value = randomValue(field, &random, depth: depth) else { continue }
                object[key] = value
            case .repeated:
                object[key] = .array((0..<Int.random(in: 0...2, using: &random)).compactMap { _ in randomValue(field, &random, depth: depth) })
            case .map:
                var map = JSONObject()
                for index in 0..<Int.random(in: 0...2, using: &random) {
                    map["k\(index)"] = randomValue(field, &random, depth: depth)
                }
                object[key] = .object(map)
            }
        }
        return .object(object)
    }

    func randomValue(_ field: ProtoSchema.FieldSchema, _ random: inout SeededRandom, depth: Int) -> JSONValue? {
        switch field.type {
        case .string: return .string(["", "a", "ünï", "x y\n\"z\""].randomElement(using: &random)!)
        case .bytes: return .string(["", "AAEC", "/w=="].randomElement(using: &random)!)
        case .bool: return .bool(Bool.random(using: &random))
        case .int64 where JSONMapping.isAmount(field):
            return .string(Money(micros: Int64.random(in: -5_000_000...5_000_000_000, using: &random)).description)
        case .int64: return .string(String(Int64.random(in: .min ... .max, using: &random)))
        case .int32: return .integer(Int32.random(in: .min ... .max, using: &random))
        case .enumeration(let name):
            return .string(mapping.schema.enums[name]?.values.randomElement(using: &random)?.name ?? "")
        case .message(let name):
            return depth < 3 ? randomMessage(name, &random, depth: depth + 1) : nil
        default: return nil
        }
    }
}

@Suite struct EmbeddedSchemaTests {
    /// The gateway's own copy of the schema reads as the one protoc compiles now.
    @Test func theEmbeddedSchemaIsTheCompiledOne() throws {
        let embedded = try ProtoSchema.embedded()
        let compiled = try DescriptorSetFixture.schema.get()
        #expect(Set(embedded.messages.keys) == Set(compiled.messages.keys))
        #expect(embedded.messages.count > 100)
        for (name, message) in compiled.messages {
            #expect(embedded.messages[name]?.fields == message.fields, "\(name)")
            #expect(embedded.messages[name]?.comment == message.comment, "\(name)")
        }
        #expect(embedded.services.map(\.name).sorted() == compiled.services.map(\.name).sorted())
        for service in compiled.services {
            #expect(embedded.services.first { $0.name == service.name }?.methods.map(\.fullName) == service.methods.map(\.fullName))
        }
    }
}
