import Foundation
import PurserAPI
import PurserAuth
import PurserRPC
import PurserService

extension WalletService {
    /// ListBalances (tenant admin or finance, own tenant): the tenant's
    /// accounts, spend windows and positions towards other tenants in one
    /// snapshot, agents paged by account id.
    /// ListHolds (the same readers, one agent of the tenant; an agent, its
    /// own): holds newest first, paged by (created, id). ListDenials (the same
    /// readers, any agent of the tenant; an agent, its own): the latest
    /// refused spends, newest first.
    func registerOverview() {
        handle(WalletMethods.listBalances) { request, principal, _ in
            let tenant = try WalletRequest.tenant(principal, requested: request.tenantID)
            guard let pageSize = PageToken.size(requested: request.pageSize, default: 1_000, maximum: 5_000) else {
                throw RPCError.invalid("page_size", "must not be negative")
            }
            var after: UUID?
            if !request.pageToken.isEmpty {
                guard let id = PageToken(text: request.pageToken).flatMap({ UUID(uuidString: $0.after) }) else {
                    throw RPCError.invalid("page_token", "is not a token this service issued")
                }
                after = id
            }
            let overview = try await self.ledger.overview(tenant: tenant, after: after, limit: pageSize + 1)
            var response = ListBalancesResponse()
            if let currency = overview.currency {
                response.currency = currency
            } else {
                response.currency = try await self.directory.currency(of: tenant)
            }
            response.treasuryBalanceMicros = overview.treasuryBalanceMicros
            response.treasuryHeldMicros = overview.treasuryHeldMicros
            response.fundedMicros = overview.fundedMicros
            response.totalHeldMicros = overview.totalHeldMicros
            response.spentTodayMicros = overview.spentTodayMicros
            response.spentWeekMicros = overview.spentWeekMicros
            response.spentMonthMicros = overview.spentMonthMicros
            response.asOfUs = overview.asOfUs
            response.positions = overview.positions.map { position in
                var entry = TenantPosition()
                entry.counterTenantID = position.counterTenant.lowercased
                entry.payableMicros = position.payableMicros
                entry.receivableMicros = position.receivableMicros
                return entry
            }
            response.agents = overview.agents.prefix(pageSize).map { agent in
                var row = AgentBalance()
                row.agentID = agent.agentID.lowercased
                row.status = AccountStatus(ledgerStatus: agent.status)
                row.balanceMicros = agent.balanceMicros
                row.heldMicros = agent.heldMicros
                row.availableMicros = agent.balanceMicros - agent.heldMicros
                row.spentTodayMicros = agent.spentTodayMicros
                row.spentWeekMicros = agent.spentWeekMicros
                row.spentMonthMicros = agent.spentMonthMicros
                row.lastActivityAtUs = agent.lastActivityUs
                return row
            }
            if overview.agents.count > pageSize, let last = overview.agents.prefix(pageSize).last {
                response.nextPageToken = PageToken(after: last.agentID.lowercased).text
            }
            return response
        }
        handle(WalletMethods.listHolds) { request, principal, _ in
            let tenant = try WalletRequest.tenant(principal, requested: request.tenantID)
            let agent = try await self.readableAgent(request.agentID, principal: principal, tenant: tenant, required: true)!
            guard let pageSize = PageToken.size(requested: request.pageSize, default: 50, maximum: 500) else {
                throw RPCError.invalid("page_size", "must not be negative")
            }
            var after: (createdAtUs: Int64, holdID: UUID)?
            if !request.pageToken.isEmpty {
                guard let position = PageToken(text: request.pageToken)?.position, let id = UUID(uuidString: position.id) else {
                    throw RPCError.invalid("page_token", "is not a token this service issued")
                }
                after = (position.timeUs, id)
            }
            let status: String? = switch request.state {
            case .pending: "pending"
            case .captured: "captured"
            case .voided: "voided"
            case .expired: "expired"
            default: nil
            }
            guard status != nil || request.state == .unspecified else { throw RPCError.invalid("state", "is not a hold state") }
            let holds = try await self.ledger.holds(tenant: tenant, agent: agent, status: status, after: after, limit: pageSize + 1)
            var response = ListHoldsResponse()
            response.holds = holds.prefix(pageSize).map { record in
                var hold = HoldView()
                hold.holdID = record.holdID.lowercased
                hold.agentID = record.agentID.lowercased
                hold.providerID = record.providerID.lowercased
                hold.category = record.category
                hold.taskID = record.taskID
                hold.description = record.description
                hold.state = switch record.status {
                case "pending": .pending
                case "captured": .captured
                case "voided": .voided
                case "expired": .expired
                default: .unspecified
                }
                hold.amountMicros = record.amountMicros
                hold.capturedMicros = record.capturedMicros
                hold.refundedMicros = record.refundedMicros
                hold.createdAtUs = record.createdAtUs
                hold.expiresAtUs = record.expiresAtUs
                return hold
            }
            if holds.count > pageSize, let last = holds.prefix(pageSize).last {
                response.nextPageToken = PageToken(after: PageToken.Position(timeUs: last.createdAtUs, id: last.holdID.lowercased)).text
            }
            return response
        }
        handle(WalletMethods.listDenials) { request, principal, _ in
            let tenant = try WalletRequest.tenant(principal, requested: request.tenantID)
            let agent = try await self.readableAgent(request.agentID, principal: principal, tenant: tenant, required: false)
            guard let pageSize = PageToken.size(requested: request.pageSize, default: 50, maximum: 500) else {
                throw RPCError.invalid("page_size", "must not be negative")
            }
            var response = ListDenialsResponse()
            response.denials = try await self.ledger.denials(tenant: tenant, agent: agent, limit: pageSize).map { record in
                var denial = SpendDenial()
                denial.agentID = record.agentID.lowercased
                denial.method = record.method
                denial.reason = record.reason
                denial.rule = record.rule
                denial.headroomMicros = record.headroomMicros
                denial.amountMicros = record.amountMicros
                denial.providerID = record.providerID
                denial.category = record.category
                denial.message = record.message
                denial.createdAtUs = record.createdAtUs
                return denial
            }
            return response
        }
    }

    /// The agent a read names: an agent caller itself ("" or its own id;
    /// another id is `not_found`); for admin and finance the named agent of
    /// their tenant (another tenant's is `not_found`), or `nil` when none is
    /// named and `required` is false.
    func readableAgent(_ requested: String, principal: Principal, tenant: UUID, required: Bool) async throws(RPCError) -> UUID? {
        if case .agent(_, let own) = principal {
            let ownID = try WalletRequest.id(own, field: "token subject")
            guard !requested.isEmpty, requested.lowercased() != own.lowercased() else { return ownID }
            let descendant = try WalletRequest.id(requested, field: "agent_id")
            try await directory.requireAncestor(ownID, of: descendant, in: tenant)
            return descendant
        }
        if requested.isEmpty {
            if required { throw RPCError.invalid("agent_id", "is required") }
            return nil
        }
        let id = try WalletRequest.id(requested, field: "agent_id")
        try await directory.requireAgent(id, in: tenant)
        return id
    }

    /// Runs an agent's spend and records its refusal, when it is one (a
    /// FAILED_PRECONDITION denial of the ledger or the policy), in
    /// `wallet.denials` before rethrowing it. A failure to record is logged;
    /// the caller still gets the denial.
    func recordingDenials<T>(
        tenant: UUID, agent: UUID, method: String, amountMicros: Int64, providerID: String, category: String,
        _ spend: () async throws -> T
    ) async throws -> T {
        do {
            return try await spend()
        } catch let error as RPCError where error.code == .failedPrecondition {
            let record = DenialRecord(
                agentID: agent, method: method, reason: error.reason ?? "denied", rule: error.metadata["rule"] ?? "",
                headroomMicros: error.metadata["headroom_micros"].flatMap { Int64($0) }, amountMicros: amountMicros,
                providerID: providerID.lowercased(), category: category.lowercased(), message: error.message)
            do {
                try await ledger.record(record, tenant: tenant)
            } catch {
                host.logger.warning("denial not recorded", ["reason": record.reason, "error": "\(error)"])
            }
            throw error
        }
    }
}
