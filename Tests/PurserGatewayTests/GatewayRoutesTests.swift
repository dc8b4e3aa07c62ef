import Foundation
import PurserAPI
import PurserJSON
import PurserRPC
import PurserTestSupport
import PurserWire
import Testing
@testable import PurserGateway

@Suite struct GatewayRoutesTests {
    let mapping: JSONMapping

    init() throws {
        mapping = JSONMapping(schema: try DescriptorSetFixture.schema.get())
    }

    @Test func everyMethodIsServedOrDeclaredInternalAndNeverBoth() {
        let served = Set(GatewayRoutes.all.map(\.method))
        let internalOnes = Set(GatewayRoutes.internalMethods.keys)
        let all = Set(mapping.schema.services.flatMap { $0.methods.map(\.fullName) })
        #expect(all.count >= 60, "the schema was read: \(all.count) methods")
        #expect(served.intersection(internalOnes).isEmpty, "served and internal: \(served.intersection(internalOnes).sorted())")
        let undecided = all.subtracting(served).subtracting(internalOnes)
        #expect(undecided.isEmpty, "methods neither served nor declared internal: \(undecided.sorted())")
        let unknown = served.union(internalOnes).subtracting(all)
        #expect(unknown.isEmpty, "routes for methods the schema lacks: \(unknown.sorted())")
    }

    @Test func everyPathFieldIsAFieldOfTheRequestAndEveryRouteIsUnique() throws {
        var seen: Set<String> = []
        var operations: Set<String> = []
        for route in GatewayRoutes.all {
            #expect(seen.insert("\(route.verb.rawValue) \(route.path)").inserted, "\(route.verb) \(route.path) twice")
            #expect(operations.insert(route.methodName).inserted, "operation \(route.methodName) twice")
            let method = try #require(mapping.schema.method(route.method))
            let input = try #require(mapping.schema.messages[method.input])
            for field in route.pathFields {
                #expect(input.fields.contains { $0.name == field && $0.type == .string }, "\(route.path) binds \(field), not a string field of \(input.name)")
            }
        }
    }

    @Test func pathsMatchWithTheirFieldsDecoded() throws {
        let agent = try #require(GatewayRoutes.match(.get, "/v1/tenants/t-1/agents/a%2F2"))
        #expect(agent.route.method == "purser.identity.v1.Identity/GetAgent")
        #expect(agent.fields == ["tenant_id": "t-1", "agent_id": "a/2"])
        #expect(GatewayRoutes.match(.post, "/v1/wallet/authorize")?.route.method == "purser.wallet.v1.Wallet/Authorize")
        #expect(GatewayRoutes.match(.get, "/v1/wallet/authorize") == nil)
        #expect(GatewayRoutes.pathKnown("/v1/wallet/authorize") == [.post])
        #expect(GatewayRoutes.match(.get, "/v1/tenants//agents") == nil, "an empty segment binds nothing")
        #expect(GatewayRoutes.match(.get, "/v1/nothing") == nil)
        #expect(GatewayRoutes.pathKnown("/v1/nothing").isEmpty)
        #expect(Set(GatewayRoutes.pathKnown("/v1/tenants/t/agents")) == [.get, .post])
    }

    @Test func aGetRequestIsBuiltFromThePathAndTheQuery() throws {
        let builder = RequestBuilder(mapping: mapping)
        let (route, fields) = try #require(GatewayRoutes.match(.get, "/v1/wallet/entries"))
        let bytes = try builder.request(route, pathFields: fields, query: [
            ("tenantId", "t-1"), ("kind", "LEDGER_ENTRY_KIND_CAPTURE"), ("fromUs", "1764000000000000"), ("pageSize", "50"),
        ], body: [])
        let request = try ListEntriesRequest(serializedBytes: bytes)
        #expect(request.tenantID == "t-1")
        #expect(request.kind == .capture)
        #expect(request.fromUs == 1_764_000_000_000_000)
        #expect(request.pageSize == 50)

        let (balance, bound) = try #require(GatewayRoutes.match(.get, "/v1/agents/a-9/balance"))
        let balanceRequest = try GetBalanceRequest(serializedBytes: try builder.request(balance, pathFields: bound, query: [], body: []))
        #expect(balanceRequest.agentID == "a-9")
    }

    @Test func aPostRequestIsBuiltFromThePathAndTheBody() throws {
        let builder = RequestBuilder(mapping: mapping)
        let (route, fields) = try #require(GatewayRoutes.match(.post, "/v1/tenants/t-1/agents"))
        let bytes = try builder.request(route, pathFields: fields, query: [],
                                        body: Array(#"{"handle":"scout","metadata":{"team":"r"}}"#.utf8))
        let request = try CreateAgentRequest(serializedBytes: bytes)
        #expect(request.tenantID == "t-1")
        #expect(request.handle == "scout")
        #expect(request.metadata == ["team": "r"])
        // The body may repeat a path field with the same value, never another.
        _ = try builder.request(route, pathFields: fields, query: [], body: Array(#"{"tenantId":"t-1"}"#.utf8))
        #expect(throws: GatewayRequestError.self) {
            try builder.request(route, pathFields: fields, query: [], body: Array(#"{"tenantId":"t-2"}"#.utf8))
        }
    }

    @Test func aPatchKeepsWhichOptionalFieldsTheBodySetsEvenToTheirDefaults() throws {
        let builder = RequestBuilder(mapping: mapping)
        let (route, fields) = try #require(GatewayRoutes.match(.patch, "/v1/webhooks/e-1"))
        #expect(route.method == "purser.identity.v1.Identity/UpdateWebhookEndpoint")
        let bytes = try builder.request(route, pathFields: fields, query: [],
                                        body: Array(#"{"enabled":false,"description":"","replaceEventTypes":true,"eventTypes":[]}"#.utf8))
        let request = try UpdateWebhookEndpointRequest(serializedBytes: bytes)
        #expect(request.endpointID == "e-1")
        #expect(request.enabled == false)
        #expect(request.description == "")
        #expect(request.url == nil)
        #expect(request.replaceEventTypes)
        let untouched = try UpdateWebhookEndpointRequest(serializedBytes: try builder.request(route, pathFields: fields, query: [], body: []))
        #expect(untouched.enabled == nil)
        #expect(untouched.description == nil)
        #expect(GatewayRoutes.match(.delete, "/v1/webhooks/e-1")?.route.method == "purser.identity.v1.Identity/DeleteWebhookEndpoint")
        #expect(Set(GatewayRoutes.pathKnown("/v1/webhooks/e-1")) == [.patch, .delete])
    }

    @Test(arguments: [
        ("GET", "/v1/wallet/entries", [("nope", "1")], "", "query_parameter_unknown"),
        ("GET", "/v1/wallet/entries", [("pageSize", "x")], "", "json_integer_invalid"),
        ("GET", "/v1/wallet/entries", [("pageSize", "1"), ("pageSize", "2")], "", "json_field_duplicate"),
        ("GET", "/v1/wallet/entries", [], #"{"a":1}"#, "body_not_allowed"),
        ("POST", "/v1/wallet/authorize", [("amount", "1")], "", "query_not_allowed"),
        ("POST", "/v1/wallet/authorize", [], #"{"amount":"1","amount":"2"}"#, "json_duplicate_key"),
        ("POST", "/v1/wallet/authorize", [], "[]", "json_field_type"),
        ("POST", "/v1/wallet/authorize", [], "{", "json_invalid"),
        ("POST", "/v1/tenants/t-1/agents", [], #"{"tenant_id":"other"}"#, "path_field_conflict"),
    ] as [(String, String, [(String, String)], String, String)])
    func badRequestsAreRefusedWithAStableReason(verb: String, path: String, query: [(String, String)], body: String, reason: String) throws {
        let builder = RequestBuilder(mapping: mapping)
        let httpVerb = try #require(HTTPVerb(rawValue: verb))
        let (route, fields) = try #require(GatewayRoutes.match(httpVerb, path))
        do {
            _ = try builder.request(route, pathFields: fields, query: query, body: Array(body.utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.reason == reason, "\(error)")
        }
    }

    @Test func nonUTF8BodiesAreRefusedAsSuch() throws {
        let builder = RequestBuilder(mapping: mapping)
        let (route, fields) = try #require(GatewayRoutes.match(.post, "/v1/wallet/authorize"))
        do {
            _ = try builder.request(route, pathFields: fields, query: [], body: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])
            Issue.record("accepted")
        } catch {
            #expect(error.reason == "json_not_utf8")
        }
    }

    @Test func refusalsBecomeProblemDocumentsWithTheirDetails() {
        var metadata = Metadata()
        metadata.append("rule", "daily")
        metadata.append("headroom_micros", "2500")
        let problem = Problem(RPCError(.failedPrecondition, "the amount exceeds the limit daily", reason: "limit_exceeded", metadata: metadata))
        #expect(problem.status == 400)
        #expect(problem.document.text == #"{"type":"https://purser.dev/problems/limit_exceeded","title":"Bad Request","status":400,"detail":"the amount exceeds the limit daily","reason":"limit_exceeded","rule":"daily","headroom":"0.0025"}"#)
        #expect(Problem(RPCError(.unauthenticated, "no token", reason: "token_missing")).status == 401)
        #expect(Problem(RPCError(.unavailable, "down")).reason == "unavailable")
        #expect(Problem.httpStatus(.alreadyExists) == 409)
        #expect(Problem.httpStatus(.resourceExhausted) == 429)
        #expect(Problem.httpStatus(.deadlineExceeded) == 504)
    }

    /// The document passes the reference validator of OpenAPI 3.1
    /// (`openapi-spec-validator`, PyPI), and names every route.
    @Test func theOpenAPIDocumentIsValidAndCoversEveryRoute() throws {
        let document = OpenAPIDocument.make(mapping: mapping)
        guard case .object(let root) = document, case .object(let paths)? = root["paths"] else {
            Issue.record("no paths")
            return
        }
        for route in GatewayRoutes.all {
            guard case .object(let item)? = paths[route.path] else {
                Issue.record("\(route.path) is not in the document")
                continue
            }
            #expect(item[route.verb.rawValue.lowercased()] != nil, "\(route.verb) \(route.path)")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("purser-openapi-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(document.serialized()).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import json, sys
            from openapi_spec_validator import validate
            from openapi_spec_validator.versions import consts
            spec = json.load(open(sys.argv[1]))
            validate(spec)
            print("valid", spec["openapi"], len(spec["paths"]))
            """, file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "openapi-spec-validator: \(text)")
        #expect(text.hasPrefix("valid 3.1.0"), "\(text)")
    }
}
