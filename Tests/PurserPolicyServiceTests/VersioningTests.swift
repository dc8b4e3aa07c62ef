import Foundation
import PurserAPI
import PurserRPC
import PurserTestSupport
import Testing

@Suite("Policy versions")
struct VersioningTests {
    @Test func everySetCreatesANewVersionWithAuthorAndTime() async throws {
        try await withPolicy("versions") { h in
            let tenant = try await h.makeTenant("acme")
            let before = Int64(Date().timeIntervalSince1970 * 1_000_000)
            let first = try await h.call(
                PolicyMethods.setTenantPolicy,
                SetTenantPolicyRequest(tenantID: tenant.id, documentJSON: #"{"per_call_max": "5.00"}"#),
                token: tenant.adminToken)
            let second = try await h.call(
                PolicyMethods.setTenantPolicy,
                SetTenantPolicyRequest(tenantID: tenant.id, documentJSON: #"{"per_call_max": "7.50"}"#),
                token: tenant.adminToken)
            #expect(first.version == 1)
            #expect(second.version == 2)
            #expect(first.level == .tenant)
            #expect(first.tenantID == tenant.id)
            #expect(first.agentID == "")
            #expect(first.author.hasPrefix("admin:"))
            #expect(first.author.count > "admin:".count)
            #expect(first.createdAtUs >= before - 1_000_000)
            #expect(second.createdAtUs >= first.createdAtUs)
            #expect(second.documentJSON.contains(#""per_call_max":"7.50""#))
        }
    }

    @Test func listVersionsReturnsEveryVersionNewestFirstAcrossPages() async throws {
        try await withPolicy("list") { h in
            let tenant = try await h.makeTenant("acme")
            for cents in 1...5 {
                _ = try await h.call(
                    PolicyMethods.setTenantPolicy,
                    SetTenantPolicyRequest(tenantID: tenant.id, documentJSON: #"{"per_call_max": "\#(cents).00"}"#),
                    token: tenant.adminToken)
            }
            let page1 = try await h.call(
                PolicyMethods.listPolicyVersions, ListPolicyVersionsRequest(tenantID: tenant.id, pageSize: 3),
                token: tenant.financeToken)
            #expect(page1.versions.map(\.version) == [5, 4, 3])
            #expect(!page1.nextPageToken.isEmpty)
            let page2 = try await h.call(
                PolicyMethods.listPolicyVersions,
                ListPolicyVersionsRequest(tenantID: tenant.id, pageSize: 3, pageToken: page1.nextPageToken),
                token: tenant.financeToken)
            #expect(page2.versions.map(\.version) == [2, 1])
            #expect(page2.nextPageToken == "")
            #expect(page2.versions.last?.documentJSON.contains(#""per_call_max":"1.00""#) == true)
        }
    }

    @Test func agentVersionsAreKeptApartFromTenantVersions() async throws {
        try await withPolicy("agent_versions") { h in
            let tenant = try await h.makeTenant("acme")
            let agent = try await h.makeAgent("researcher", in: tenant)
            _ = try await h.call(
                PolicyMethods.setTenantPolicy, SetTenantPolicyRequest(tenantID: tenant.id, documentJSON: "{}"),
                token: tenant.adminToken)
            let stored = try await h.call(
                PolicyMethods.setAgentPolicy,
                SetAgentPolicyRequest(tenantID: tenant.id, agentID: agent.id, documentJSON: #"{"per_call_max": "1.00"}"#),
                token: tenant.adminToken)
            #expect(stored.version == 1)
            #expect(stored.level == .agent)
            #expect(stored.agentID == agent.id)
            let listed = try await h.call(
                PolicyMethods.listPolicyVersions, ListPolicyVersionsRequest(tenantID: tenant.id, agentID: agent.id),
                token: tenant.adminToken)
            #expect(listed.versions.map(\.version) == [1])
            #expect(listed.versions.first?.level == .agent)
        }
    }

    @Test func expectedVersionMismatchIsAVersionConflictAndStoresNothing() async throws {
        try await withPolicy("conflict") { h in
            let tenant = try await h.makeTenant("acme")
            let first = try await h.call(
                PolicyMethods.setTenantPolicy,
                SetTenantPolicyRequest(tenantID: tenant.id, documentJSON: "{}", expectedVersion: 0),
                token: tenant.adminToken)
            #expect(first.version == 1)
            let stale = await rpcError {
                _ = try await h.call(
                    PolicyMethods.setTenantPolicy,
                    SetTenantPolicyRequest(tenantID: tenant.id, documentJSON: #"{"per_call_max": "1.00"}"#, expectedVersion: 0),
                    token: tenant.adminToken)
            }
            #expect(stale?.code == .failedPrecondition)
            #expect(stale?.reason == "version_conflict")
            #expect(stale?.metadata["current_version"] == "1")
            let next = try await h.call(
                PolicyMethods.setTenantPolicy,
                SetTenantPolicyRequest(tenantID: tenant.id, documentJSON: #"{"per_call_max": "2.00"}"#, expectedVersion: 1),
                token: tenant.adminToken)
            #expect(next.version == 2)
            let listed = try await h.call(
                PolicyMethods.listPolicyVersions, ListPolicyVersionsRequest(tenantID: tenant.id), token: tenant.adminToken)
            #expect(listed.versions.map(\.version) == [2, 1])
        }
    }

    @Test func concurrentWritersWithTheSameExpectedVersionOnlyOneWins() async throws {
        try await withPolicy("race") { h in
            let tenant = try await h.makeTenant("acme")
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        let error = await rpcError {
                            _ = try await h.call(
                                PolicyMethods.setTenantPolicy,
                                SetTenantPolicyRequest(
                                    tenantID: tenant.id, documentJSON: #"{"per_call_max": "\#(index + 1).00"}"#,
                                    expectedVersion: 0),
                                token: tenant.adminToken)
                        }
                        return error == nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            let listed = try await h.call(
                PolicyMethods.listPolicyVersions, ListPolicyVersionsRequest(tenantID: tenant.id), token: tenant.adminToken)
            #expect(listed.versions.map(\.version) == [1])
        }
    }

    @Test func concurrentUnconditionalWritersGetConsecutiveVersions() async throws {
        try await withPolicy("consecutive") { h in
            let tenant = try await h.makeTenant("acme")
            let agent = try await h.makeAgent("bot", in: tenant)
            let versions = try await withThrowingTaskGroup(of: Int64.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await h.call(
                            PolicyMethods.setAgentPolicy,
                            SetAgentPolicyRequest(
                                tenantID: tenant.id, agentID: agent.id,
                                documentJSON: #"{"per_call_max": "\#(index + 1).00"}"#),
                            token: tenant.adminToken
                        ).version
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0.append($1) }
            }
            #expect(versions.sorted() == Array(1...8))
            let listed = try await h.call(
                PolicyMethods.listPolicyVersions, ListPolicyVersionsRequest(tenantID: tenant.id, agentID: agent.id),
                token: tenant.adminToken)
            #expect(listed.versions.map(\.version) == Array((1...8).reversed()))
        }
    }

    @Test func onlyTenantAdminsWritePolicies() async throws {
        try await withPolicy("writers") { h in
            let tenant = try await h.makeTenant("acme")
            let agent = try await h.makeAgent("bot", in: tenant)
            let request = SetTenantPolicyRequest(tenantID: tenant.id, documentJSON: "{}")
            let finance = await rpcError {
                _ = try await h.call(PolicyMethods.setTenantPolicy, request, token: tenant.financeToken)
            }
            let asAgent = await rpcError { _ = try await h.call(PolicyMethods.setTenantPolicy, request, token: agent.token) }
            let asWallet = await rpcError { _ = try await h.call(PolicyMethods.setTenantPolicy, request, via: h.wallet) }
            let anonymous = await rpcError { _ = try await h.call(PolicyMethods.setTenantPolicy, request) }
            #expect(finance?.code == .permissionDenied)
            #expect(finance?.reason == "permission_denied")
            #expect(asAgent?.code == .permissionDenied)
            #expect(asAgent?.reason == "permission_denied")
            #expect(asWallet?.code == .permissionDenied)
            #expect(asWallet?.reason == "permission_denied")
            #expect(anonymous?.code == .unauthenticated)
            #expect(anonymous?.reason == "token_missing")
        }
    }
}
