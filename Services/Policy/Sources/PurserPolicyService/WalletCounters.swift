import PurserAPI
import PurserPolicy
import PurserRPC

/// Reads an agent's spend counters from the Wallet (`GetSpendCounters`, over
/// mutual TLS as service `policy`), for Simulate's headroom.
public struct WalletCounters: Sendable {
    let client: RPCClient
    let timeout: Duration

    /// Reads through `client`, whose certificate must name service `policy`;
    /// each read gives up after `timeout`.
    public init(client: RPCClient, timeout: Duration = .seconds(5)) {
        self.client = client
        self.timeout = timeout
    }

    /// What the Wallet has counted for `agentID` under each of `keys` (zeros
    /// for a key nothing was counted under). One call; throws
    /// `walletUnavailable` when the Wallet cannot answer.
    func read(
        tenantID: String, agentID: String, keys: [LimitCounterKey]
    ) async throws(PolicyServiceError) -> [LimitCounterKey: LimitUsage] {
        guard !keys.isEmpty else { return [:] }
        var request = GetSpendCountersRequest()
        request.tenantID = tenantID
        request.agentID = agentID
        request.keys = keys.map { SpendCounterKey(limitID: $0.limitID, windowKey: $0.windowKey) }
        let response: GetSpendCountersResponse
        do {
            response = try await client.call(WalletMethods.getSpendCounters, request, timeout: timeout)
        } catch {
            throw .walletUnavailable(error.message)
        }
        var usage: [LimitCounterKey: LimitUsage] = [:]
        usage.reserveCapacity(response.counters.count)
        for counter in response.counters {
            usage[LimitCounterKey(limitID: counter.limitID, windowKey: counter.windowKey)] = LimitUsage(
                spent: counter.spentMicros, count: Int(clamping: counter.count))
        }
        return usage
    }
}
