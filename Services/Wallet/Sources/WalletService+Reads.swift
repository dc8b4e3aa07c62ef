import Foundation
import PurserAPI
import PurserAuth
import PurserRPC
import PurserService

extension WalletService {
    /// GetBalance (tenant admin or finance for the treasury or any agent of the
    /// tenant; an agent for itself and its descendants) and ListEntries (the
    /// same readers; an agent sees only entries of its own account or a
    /// descendant's), newest first, paged.
    func registerReads() {
        handle(WalletMethods.getBalance) { request, principal, _ in
            let tenant = try WalletRequest.tenant(principal, requested: request.tenantID)
            let account: AccountReference
            if case .agent = principal {
                account = .agent(try await self.readableAgent(request.agentID, principal: principal, tenant: tenant, required: false)!)
            } else if request.agentID.isEmpty {
                account = .treasury
            } else {
                let agent = try WalletRequest.id(request.agentID, field: "agent_id")
                try await self.directory.requireAgent(agent, in: tenant)
                account = .agent(agent)
            }
            var response = WalletBalance()
            if let balance = try await self.ledger.balance(tenant: tenant, account: account) {
                response = WalletBalance(balance)
            } else {
                response.currency = try await self.directory.currency(of: tenant)
                response.asOfUs = Int64(Date().timeIntervalSince1970 * 1_000_000)
                response.status = .active
            }
            if case .agent(let agent) = account {
                response.agentID = agent.lowercased
                if response.accountID.isEmpty { response.accountID = agent.lowercased }
            }
            return response
        }
        handle(WalletMethods.listEntries) { request, principal, _ in
            let tenant = try WalletRequest.tenant(principal, requested: request.tenantID)
            var filter = EntryFilter()
            if case .agent = principal {
                let agent: UUID?
                do {
                    agent = try await self.readableAgent(request.accountID, principal: principal, tenant: tenant, required: false)
                } catch let error as RPCError where error.code == .notFound || error.code == .invalidArgument {
                    throw RPCError.notFound("account")
                }
                filter.account = .id(agent!)
            } else {
                switch request.accountID {
                case "": filter.account = nil
                case "treasury": filter.account = .treasury
                case "funding": filter.account = .funding
                default:
                    let account = try WalletRequest.id(request.accountID, field: "account_id")
                    try await self.requireVisibleAccount(account, in: tenant)
                    filter.account = .id(account)
                }
            }
            if request.kind != .unspecified {
                guard let kind = request.kind.ledgerKind else { throw RPCError.invalid("kind", "is not an entry kind") }
                filter.kind = kind
            }
            let fromUs = try WireTime.validated(request.fromUs, field: "from_us")
            let untilUs = try WireTime.validated(request.untilUs, field: "until_us")
            filter.fromUs = fromUs == 0 ? nil : fromUs
            filter.untilUs = untilUs == 0 ? nil : untilUs
            guard let pageSize = PageToken.size(requested: request.pageSize, default: 100, maximum: 1_000) else {
                throw RPCError.invalid("page_size", "must not be negative")
            }
            var before: Int64?
            if !request.pageToken.isEmpty {
                guard let sequence = PageToken(text: request.pageToken).flatMap({ Int64($0.after) }), sequence > 0 else {
                    throw RPCError.invalid("page_token", "is not a token this service issued")
                }
                before = sequence
            }
            let entries = try await self.ledger.entries(tenant: tenant, filter: filter, before: before, limit: pageSize + 1)
            var response = ListEntriesResponse()
            response.entries = entries.prefix(pageSize).map(WalletEntry.init(ledger:))
            if entries.count > pageSize, let last = entries.prefix(pageSize).last {
                response.nextPageToken = PageToken(after: String(last.sequence)).text
            }
            return response
        }
    }
}

extension WalletService {
    /// Passes when `account` is one of the tenant's agents or a provider's
    /// payable; anything else (another tenant's agent included) is `not_found`.
    func requireVisibleAccount(_ account: UUID, in tenant: UUID) async throws(RPCError) {
        do {
            try await directory.requireAgent(account, in: tenant)
        } catch where error.code == .notFound {
            guard try await directory.provider(account) != nil else { throw RPCError.notFound("account") }
        }
    }
}

extension AccountStatus {
    init(ledgerStatus: String) {
        switch ledgerStatus {
        case "active": self = .active
        case "frozen": self = .frozen
        case "revoked": self = .revoked
        default: self = .unspecified
        }
    }
}

extension LedgerEntryKind {
    init(ledgerKind: String) {
        switch ledgerKind {
        case "fund": self = .fund
        case "allocate": self = .allocate
        case "reclaim": self = .reclaim
        case "capture": self = .capture
        case "refund": self = .refund
        case "transfer": self = .transfer
        case "transfer_out": self = .transferOut
        case "transfer_in": self = .transferIn
        case "delegate": self = .delegate
        case "return": self = .return
        default: self = .unspecified
        }
    }

    /// The ledger's name of this kind; `nil` for unspecified or unknown numbers.
    var ledgerKind: String? {
        switch self {
        case .fund, .allocate, .reclaim, .capture, .refund, .transfer, .transferOut, .transferIn, .delegate, .return: description
        default: nil
        }
    }
}

extension WalletEntry {
    init(ledger entry: LedgerEntry) {
        self.init()
        entryID = entry.entryID.lowercased
        kind = LedgerEntryKind(ledgerKind: entry.kind)
        debitAccount = entry.debitAccount.lowercased
        creditAccount = entry.creditAccount.lowercased
        amountMicros = entry.amountMicros
        currency = entry.currency
        agentID = entry.agentID?.lowercased ?? ""
        providerID = entry.providerID?.lowercased ?? ""
        category = entry.category
        holdID = entry.holdID?.lowercased ?? ""
        externalReference = entry.reference
        description = entry.description
        createdAtUs = entry.createdAtUs
    }
}
