import Foundation
import PurserAPI
import PurserRPC

extension WalletService {
    /// GetSpendCounters (service `policy`): what the ledger has counted for an
    /// agent under each requested limit id and window key, in request order,
    /// zeros for a key nothing was counted under, so Simulate can report the
    /// headroom left. At most `GetSpendCountersRequest.maximumKeys` keys.
    func registerCounters() {
        handle(WalletMethods.getSpendCounters) { request, principal, _ in
            let tenant = try WalletRequest.tenant(principal, requested: request.tenantID)
            let agent = try WalletRequest.id(request.agentID, field: "agent_id")
            guard request.keys.count <= GetSpendCountersRequest.maximumKeys else {
                throw RPCError.invalid("keys", "at most \(GetSpendCountersRequest.maximumKeys) keys")
            }
            for key in request.keys where key.limitID.isEmpty || key.windowKey.isEmpty {
                throw RPCError.invalid("keys", "every key needs a limit_id and a window_key")
            }
            let readings = try await self.ledger.counters(
                tenant: tenant, agent: agent, keys: request.keys.map { ($0.limitID, $0.windowKey) })
            var response = GetSpendCountersResponse()
            response.counters = readings.map { reading in
                var counter = SpendCounter()
                counter.limitID = reading.scopeKey
                counter.windowKey = reading.windowKey
                counter.spentMicros = reading.spentMicros
                counter.count = reading.count
                return counter
            }
            return response
        }
    }
}
