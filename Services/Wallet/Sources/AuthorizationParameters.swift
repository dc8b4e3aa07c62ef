import Foundation
import PurserPostgres

/// The parameters of `wallet.authorize_agents` for a batch of one tenant's
/// authorizations: one array per column, one element per request, each in
/// PostgreSQL's binary format with its own type, so an amount goes from the
/// `Int64` the handler decoded to the `bigint` the ledger compares with no
/// text or JSON in between. Requests are numbered from 1 in group order and
/// each group's commands in order; limits name their request's number.
struct AuthorizationParameters {
    /// The statement: one row per request, its index from 0 and its outcome document.
    static let statement = """
        SELECT request_index, outcome::text FROM wallet.authorize_agents(
            $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24,
            $25, $26, $27)
        """

    private(set) var agent: [UUID?] = []
    private(set) var principal: [String?] = []
    private(set) var key: [String?] = []
    private(set) var method: [String?] = []
    private(set) var provider: [UUID?] = []
    private(set) var category: [String?] = []
    private(set) var task: [String?] = []
    private(set) var description: [String?] = []
    private(set) var amount: [Int64?] = []
    private(set) var ttl: [Int64?] = []
    private(set) var policyEpoch: [Int64?] = []
    private(set) var refusalReason: [String?] = []
    private(set) var refusalRule: [String?] = []
    private(set) var refusalHeadroom: [Int64?] = []
    private(set) var refusalRemaining: [Int64?] = []
    private(set) var failureStatus: [String?] = []
    private(set) var failureReason: [String?] = []
    private(set) var failureMessage: [String?] = []
    private(set) var limitRequest: [Int32?] = []
    private(set) var limitScope: [String?] = []
    private(set) var limitWindow: [String?] = []
    private(set) var limitCap: [Int64?] = []
    private(set) var limitCapCount: [Int64?] = []
    private(set) var payeeKind: [String?] = []
    private(set) var payeeTenant: [UUID?] = []
    private(set) var payeeRefuses: [Bool?] = []
    let tenant: UUID

    /// The requests of `groups`, which must all be of `tenant`.
    init(tenant: UUID, groups: [AgentAuthorizations]) {
        self.tenant = tenant
        for group in groups {
            for command in group.commands { append(group.agent, command) }
        }
    }

    /// Number of requests.
    var count: Int { agent.count }

    private mutating func append(_ agentID: UUID, _ command: AuthorizationCommand) {
        agent.append(agentID)
        principal.append(command.scope.principal)
        key.append(command.scope.key)
        method.append(command.kind.rawValue)
        provider.append(command.providerID)
        category.append(command.category)
        task.append(command.taskID)
        description.append(command.description)
        amount.append(command.amountMicros)
        ttl.append(command.holdTTLMicros)
        policyEpoch.append(command.policyEpoch)
        refusalReason.append(command.refusal?.reason)
        refusalRule.append(command.refusal?.rule)
        refusalHeadroom.append(command.refusal?.headroomMicros)
        refusalRemaining.append(command.refusal?.remainingCount)
        failureStatus.append(command.policyFailure?.code.ledgerStatus)
        failureReason.append(command.policyFailure?.reason)
        failureMessage.append(command.policyFailure?.message)
        payeeKind.append(command.payeeIsAgent ? "agent" : "provider")
        payeeTenant.append(command.payeeTenant)
        payeeRefuses.append(command.payeeRefusesOtherTenants)
        let number = Int32(agent.count)
        for limit in command.limits {
            limitRequest.append(number)
            limitScope.append(limit.scopeKey)
            limitWindow.append(limit.windowKey)
            limitCap.append(limit.capMicros)
            limitCapCount.append(limit.capCount)
        }
    }

    /// The 27 parameters, in the order of `statement`.
    var values: [(any PostgresEncodable)?] {
        [
            tenant, PostgresArray(agent), PostgresArray(principal), PostgresArray(key), PostgresArray(method),
            PostgresArray(provider), PostgresArray(category), PostgresArray(task), PostgresArray(description),
            PostgresArray(amount), PostgresArray(ttl), PostgresArray(policyEpoch), PostgresArray(refusalReason),
            PostgresArray(refusalRule), PostgresArray(refusalHeadroom), PostgresArray(refusalRemaining),
            PostgresArray(failureStatus), PostgresArray(failureReason), PostgresArray(failureMessage),
            PostgresArray(limitRequest), PostgresArray(limitScope), PostgresArray(limitWindow), PostgresArray(limitCap),
            PostgresArray(limitCapCount), PostgresArray(payeeKind), PostgresArray(payeeTenant), PostgresArray(payeeRefuses),
        ]
    }
}
