import Foundation
import PurserAPI
import PurserAuth
import PurserPolicy
import PurserRPC
import PurserService

extension PolicyService {
    /// `SetTenantPolicy`: validates the document (every problem named by its
    /// field) and stores it as the tenant default's next version, atomically
    /// with the `expected_version` check. Tenant admin of that tenant.
    func setTenantPolicy(_ request: SetTenantPolicyRequest, _ principal: Principal, _ context: ServerContext)
        async throws -> PolicyVersion
    {
        let tenantID = try Self.uuid(request.tenantID, field: "tenant_id")
        try principal.requireTenant(request.tenantID)
        let document = try Self.document(request.documentJSON)
        let stored = try await store.store(
            tenantID: tenantID, agentID: nil, document: document, expectedVersion: request.expectedVersion,
            author: await author(principal, context))
        context.logger.info("tenant policy stored", ["tenant_id": request.tenantID, "version": "\(stored.version)"])
        await announce(stored, context)
        return Self.message(stored)
    }

    /// `SetAgentPolicy`: like `SetTenantPolicy` for one agent's override; the
    /// agent must belong to the tenant (NOT_FOUND otherwise, asked of
    /// Identity). Callers: the tenant admin, any strict ancestor agent of the
    /// target (an agent setting its own override is PERMISSION_DENIED, any
    /// other agent NOT_FOUND), service `identity` (a sub-agent's override at
    /// creation). A sub-agent's document may only narrow its parent's
    /// effective policy as read now: INVALID_ARGUMENT
    /// `policy_looser_than_parent` otherwise, each looser field named (see
    /// `PolicyDocument.loosenings(comparedTo:)`). The check reads the parent's
    /// documents before the write; a parent tightened concurrently may leave
    /// a stored child rule looser than the parent's new one, which the
    /// effective policy (tenant ∧ ancestors ∧ own) makes harmless.
    func setAgentPolicy(_ request: SetAgentPolicyRequest, _ principal: Principal, _ context: ServerContext)
        async throws -> PolicyVersion
    {
        let tenantID = try Self.uuid(request.tenantID, field: "tenant_id")
        let agentID = try Self.uuid(request.agentID, field: "agent_id")
        try principal.requireTenant(request.tenantID)
        try await requireAgentReach(principal, tenantID: request.tenantID, agentID: request.agentID, allowSelf: false)
        let document = try Self.document(request.documentJSON)
        let resolved = try await resolve(tenantID: tenantID, tenantText: request.tenantID, agentID: agentID)
        if !resolved.documents.ancestors.isEmpty {
            let problems = document.loosenings(comparedTo: resolved.parentPolicy)
            if !problems.isEmpty { throw RPCError.policyLooserThanParent(problems) }
        }
        let stored = try await store.store(
            tenantID: tenantID, agentID: agentID, document: document, expectedVersion: request.expectedVersion,
            author: await author(principal, context))
        context.logger.info(
            "agent policy stored",
            ["tenant_id": request.tenantID, "agent_id": request.agentID, "version": "\(stored.version)"])
        await announce(stored, context)
        return Self.message(stored)
    }

    /// `ListPolicyVersions`: every version of one document, newest first,
    /// paged by version. Tenant admin or finance of that tenant; for an
    /// agent's override also any strict ancestor agent of it (an agent asking
    /// for its own or the tenant's is PERMISSION_DENIED, for any other agent's
    /// NOT_FOUND).
    func listPolicyVersions(_ request: ListPolicyVersionsRequest, _ principal: Principal) async throws
        -> ListPolicyVersionsResponse
    {
        let tenantID = try Self.uuid(request.tenantID, field: "tenant_id")
        let agentID = try request.agentID.isEmpty ? nil : Self.uuid(request.agentID, field: "agent_id")
        try principal.requireTenant(request.tenantID)
        if case .agent = principal, agentID == nil { throw AuthError.roleNotAllowed }
        try await requireAgentReach(principal, tenantID: request.tenantID, agentID: request.agentID, allowSelf: false)
        if agentID != nil { try await directory.requireAgent(tenantID: request.tenantID, agentID: request.agentID) }
        guard let size = PageToken.size(requested: request.pageSize) else {
            throw RPCError.invalidField("page_size", "must not be negative")
        }
        var before: Int64?
        if !request.pageToken.isEmpty {
            guard let version = PageToken(text: request.pageToken).flatMap({ Int64($0.after) }), version > 0 else {
                throw RPCError.invalidField("page_token", "is not a token from this method")
            }
            before = version
        }
        let versions = try await store.versions(tenantID: tenantID, agentID: agentID, before: before, limit: size + 1)
        var response = ListPolicyVersionsResponse()
        response.versions = versions.prefix(size).map(Self.message)
        if versions.count > size, let last = response.versions.last { response.nextPageToken = PageToken(after: String(last.version)).text }
        return response
    }

    /// Tells the Wallet the tenant's new policy epoch before the write
    /// answers, so the change bites for every authorization that starts after
    /// it. The change is committed either way: when the Wallet does not
    /// acknowledge, the write still succeeds, the failure is logged, and the
    /// Wallet's policy cache TTL bounds how long the older policy is served.
    func announce(_ stored: StoredPolicyVersion, _ context: ServerContext) async {
        let tenantID = stored.tenantID.uuidString.lowercased()
        do {
            try await wallet.announce(tenantID: tenantID, epoch: stored.epoch)
        } catch {
            context.logger.warning(
                "policy change not acknowledged by the Wallet; its cache TTL bounds the delay",
                ["tenant_id": tenantID, "epoch": "\(stored.epoch)", "error": error.message])
        }
    }

    /// Parses and validates a submitted document.
    static func document(_ json: String) throws(RPCError) -> PolicyDocument {
        do {
            return try PolicyDocument.decode(json: json.utf8)
        } catch {
            throw .invalidPolicy(error)
        }
    }

    static func message(_ stored: StoredPolicyVersion) -> PolicyVersion {
        var message = PolicyVersion()
        message.tenantID = stored.tenantID.uuidString.lowercased()
        message.agentID = stored.agentID?.uuidString.lowercased() ?? ""
        message.level = stored.agentID == nil ? .tenant : .agent
        message.version = stored.version
        message.documentJSON = stored.documentJSON
        message.author = stored.author
        message.createdAtUs = microseconds(stored.createdAt)
        return message
    }
}
