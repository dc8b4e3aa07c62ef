import PurserAPI
import PurserRPC
import PurserTestSupport
import Testing

@Suite("Policy document validation")
struct ValidationTests {
    /// Invalid documents and the field each error must name.
    static let invalid: [(json: String, field: String, reason: String)] = [
        (#"{"limits": [{"amount": "1.00", "interval": "daily"}, {"amount": "1.00", "interval": "daily"}, {"amount": "1.00", "interval": "fortnightly"}]}"#,
         "limits[2].interval", "invalid_document"),
        (#"{"per_call_max": "0"}"#, "per_call_max", "invalid_policy"),
        (#"{"limits": [{"amount": "5.00", "interval": "daily", "count": 0}]}"#, "limits[0].count", "invalid_policy"),
        (#"{"blocked_categories": ["ok", "Not Valid"]}"#, "blocked_categories[1]", "invalid_policy"),
        (#"{"allowed_providers": ["exa"], "blocked_providers": ["exa"]}"#, "blocked_providers[0]", "invalid_policy"),
        (#"{"per_call_max": "1.0000001"}"#, "per_call_max", "invalid_document"),
    ]

    @Test(arguments: 0..<invalid.count)
    func invalidDocumentsAreRefusedNamingTheField(_ index: Int) async throws {
        let case_ = Self.invalid[index]
        try await withPolicy("validation_\(index)") { h in
            let tenant = try await h.makeTenant("acme")
            let error = await rpcError {
                _ = try await h.call(
                    PolicyMethods.setTenantPolicy, SetTenantPolicyRequest(tenantID: tenant.id, documentJSON: case_.json),
                    token: tenant.adminToken)
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.reason == case_.reason)
            #expect(error?.metadata["field"] == case_.field)
            #expect(error?.message.contains(case_.field) == true)
            let listed = try await h.call(
                PolicyMethods.listPolicyVersions, ListPolicyVersionsRequest(tenantID: tenant.id), token: tenant.adminToken)
            #expect(listed.versions.isEmpty)
        }
    }

    @Test func malformedIdentifiersNameTheirField() async throws {
        try await withPolicy("ids") { h in
            let tenant = try await h.makeTenant("acme")
            let error = await rpcError {
                _ = try await h.call(
                    PolicyMethods.setAgentPolicy,
                    SetAgentPolicyRequest(tenantID: tenant.id, agentID: "not-a-uuid", documentJSON: "{}"),
                    token: tenant.adminToken)
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.reason == "invalid_argument")
            #expect(error?.metadata["field"] == "agent_id")
        }
    }
}
