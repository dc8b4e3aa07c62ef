import PurserAPI
import PurserAuth
import PurserRPC

extension WalletService {
    /// SetBalanceAlert (tenant admin): an agent's `agent.balance_low`
    /// threshold; answers the agent's balance with it.
    func registerAlerts() {
        handle(WalletMethods.setBalanceAlert) { request, principal, _ in
            let tenant = try WalletRequest.tenant(principal, requested: "")
            let agent = try WalletRequest.id(request.agentID, field: "agent_id")
            guard request.balanceLowMicros >= 0 else {
                throw RPCError.invalid("balance_low_micros", "must be 0 (off) or more", reason: "amount_invalid")
            }
            try await self.directory.requireAgent(agent, in: tenant)
            let currency = try await self.directory.currency(of: tenant)
            var response = WalletBalance(
                try await self.ledger.setBalanceLow(tenant: tenant, agent: agent, micros: request.balanceLowMicros, currency: currency))
            response.agentID = agent.lowercased
            return response
        }
    }
}

extension WalletBalance {
    /// The answer for an account's balance row.
    init(_ balance: AccountBalance) {
        self.init()
        accountID = balance.accountID.lowercased
        balanceMicros = balance.balanceMicros
        heldMicros = balance.heldMicros
        availableMicros = balance.availableMicros
        currency = balance.currency
        asOfUs = balance.asOfUs
        status = AccountStatus(ledgerStatus: balance.status)
        balanceLowMicros = balance.balanceLowMicros
    }
}
