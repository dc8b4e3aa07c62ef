import PurserAPI
import Synchronization

/// The calls the benchmark makes, each returning whether it succeeded; the
/// first failure since the last `takeFirstFailure()` is kept for the report.
final class BenchCalls: Sendable {
    let system: BenchSystem
    let amountMicros: Int64
    private let firstFailure = Mutex<String?>(nil)

    init(system: BenchSystem, amountMicros: Int64) {
        self.system = system
        self.amountMicros = amountMicros
    }

    /// Authorizes `amountMicros` to `world`'s provider as `agent`.
    func authorize(_ world: BenchWorld, _ agent: BenchWorld.Agent) async -> Bool {
        var request = AuthorizeRequest()
        request.amountMicros = amountMicros
        request.providerID = world.providerID
        do {
            _ = try await system.callWallet(WalletMethods.authorize, request, token: agent.token)
            return true
        } catch {
            note(error)
            return false
        }
    }

    /// Charges (authorizes and captures) `amountMicros` to `world`'s provider as `agent`.
    func charge(_ world: BenchWorld, _ agent: BenchWorld.Agent) async -> Bool {
        var request = ChargeRequest()
        request.amountMicros = amountMicros
        request.providerID = world.providerID
        do {
            _ = try await system.callWallet(WalletMethods.charge, request, token: agent.token)
            return true
        } catch {
            note(error)
            return false
        }
    }

    /// Pays `amountMicros` at once from `payer` to `payee`, another agent of
    /// `world` (Charge naming `payee_agent_id`, category `inference`, which the
    /// bench policy allows): a transfer between two agent accounts.
    /// A Charge from `payer` to `payee`, named by id, or by `handle@tenant-slug` when it is of another tenant (`acrossTenants`).
    func transfer(_ world: BenchWorld, from payer: BenchWorld.Agent, to payee: BenchWorld.Agent, acrossTenants: Bool = false) async -> Bool {
        var request = ChargeRequest()
        request.amountMicros = amountMicros
        if acrossTenants { request.payeeAgent = payee.name } else { request.payeeAgentID = payee.id }
        request.category = "inference"
        do {
            _ = try await system.callWallet(WalletMethods.charge, request, token: payer.token)
            return true
        } catch {
            note(error)
            return false
        }
    }

    /// The first failure noted since the last call, if any.
    func takeFirstFailure() -> String? {
        firstFailure.withLock { value in
            defer { value = nil }
            return value
        }
    }

    private func note(_ error: any Error) {
        firstFailure.withLock { if $0 == nil { $0 = "\(error)" } }
    }
}

extension BenchWorld {
    /// The agent of `worker`'s `call`-th call among `workers`: consecutive
    /// calls of one worker go to different agents.
    func agent(worker: Int, call: Int, workers: Int) -> Agent {
        agents[(worker + call * workers) % agents.count]
    }

    /// The agent of `worker`'s `call`-th call and the agent after it, which it
    /// pays: each agent pays its neighbour and is paid by the one before.
    func ring(worker: Int, call: Int, workers: Int) -> (payer: Agent, payee: Agent) {
        let index = (worker + call * workers) % agents.count
        return (agents[index], agents[(index + 1) % agents.count])
    }
}
