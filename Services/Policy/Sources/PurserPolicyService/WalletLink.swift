import PurserAPI
import PurserPolicy
import PurserRPC

/// What Policy asks of the Wallet, over mutual TLS as service `policy`: an
/// agent's spend counters (`GetSpendCounters`, for Simulate's headroom) and
/// the notice that a tenant's policies changed (`PolicyChanged`).
package struct WalletLink: Sendable {
    let client: RPCClient
    let timeout: Duration

    /// Reads through `client`, whose certificate must name service `policy`;
    /// each read gives up after `timeout`.
    package init(client: RPCClient, timeout: Duration = .seconds(5)) {
        self.client = client
        self.timeout = timeout
    }

    /// What the Wallet has counted for `agentID` under each of `keys` (zeros
    /// for a key nothing was counted under). One call; throws
    /// `walletUnavailable` when the Wallet cannot answer.
    func read(
        tenantID: String, agentID: String, keys: [LimitCounterKey]
    ) async throws(RPCError) -> [LimitCounterKey: LimitUsage] {
        guard !keys.isEmpty else { return [:] }
        var request = GetSpendCountersRequest()
        request.tenantID = tenantID
        request.agentID = agentID
        request.keys = keys.map { SpendCounterKey(limitID: $0.limitID, windowKey: $0.windowKey) }
        let response: GetSpendCountersResponse
        do {
            response = try await client.call(WalletMethods.getSpendCounters, request, timeout: timeout)
        } catch {
            throw .walletUnavailable(error.message, cause: error)
        }
        var usage: [LimitCounterKey: LimitUsage] = [:]
        usage.reserveCapacity(response.counters.count)
        for counter in response.counters {
            usage[LimitCounterKey(limitID: counter.limitID, windowKey: counter.windowKey)] = LimitUsage(
                spent: counter.spentMicros, count: Int(clamping: counter.count))
        }
        return usage
    }

    /// Tells the Wallet that `tenantID`'s policies now stand at `epoch`, so
    /// no authorization that starts after this returns is checked against an
    /// older policy. Throws `walletUnavailable` when the Wallet did not
    /// acknowledge; the caller's change stands and the Wallet's cache TTL
    /// still bounds how long an older policy is served.
    func announce(tenantID: String, epoch: Int64) async throws(RPCError) {
        do {
            _ = try await client.call(
                WalletMethods.policyChanged, PolicyChangedNotice(tenantID: tenantID, epoch: epoch), timeout: timeout)
        } catch {
            throw .walletUnavailable(error.message, cause: error)
        }
    }
}
