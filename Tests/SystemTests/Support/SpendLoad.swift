import Foundation
import PurserAPI
import PurserRPC
import Synchronization

/// One spend a load loop attempted, with the idempotency keys it used and the
/// answers it got (`nil` where the call failed or was never made).
struct Spend: Sendable {
    enum Kind: Sendable {
        /// `Authorize`, then the provider's full `Capture` of the hold.
        case authorizeThenCapture
        /// `Charge`: authorize and capture in one step.
        case charge
    }

    let kind: Kind
    let agent: Int
    let amount: Int64
    /// Idempotency key of the Authorize or the Charge.
    let key: String
    /// Idempotency key of the Capture.
    let captureKey: String
    var authorized: AuthorizeResponse?
    var captured: CaptureResponse?
    var charged: ChargeResponse?
}

/// What a spend came to once every failed step was retried with its own
/// idempotency key: the hold and the capture entry it made, and every replay
/// that did not return the original answer.
struct SettledSpend: Sendable {
    let spend: Spend
    let holdID: String
    let entryID: String
    let replayMismatches: [String]
}

/// Drives the Wallet as agents and their provider would, and keeps every spend
/// so that what was answered OK can be checked against the ledger afterwards.
final class SpendLoad: Sendable {
    let world: Deployment.World
    let wallet: RPCClient
    let recorder: LoadRecorder
    /// µ-units of every spend.
    let amount: Int64
    private let spends = Mutex<[Spend]>([])

    init(world: Deployment.World, wallet: RPCClient, recorder: LoadRecorder, amount: Int64) {
        self.world = world
        self.wallet = wallet
        self.recorder = recorder
        self.amount = amount
    }

    /// Every spend attempted so far.
    var attempted: [Spend] { spends.withLock { $0 } }

    /// Spends as agent `agent` until the recorder stops: two authorize-then-capture
    /// rounds, then one charge, over and over; every call is recorded.
    func run(agent: Int, pause: Duration, timeout: Duration) async {
        var round = 0
        while !recorder.isStopped {
            round += 1
            var spend = Spend(
                kind: round % 3 == 0 ? .charge : .authorizeThenCapture, agent: agent, amount: amount,
                key: UUID().uuidString, captureKey: UUID().uuidString)
            switch spend.kind {
            case .authorizeThenCapture:
                spend.authorized = try? await recorder.call("wallet", "Authorize") { () async throws(RPCError) in
                    try await self.authorize(spend, timeout: timeout)
                }.get()
                if let hold = spend.authorized {
                    spend.captured = try? await recorder.call("wallet", "Capture") { () async throws(RPCError) in
                        try await self.capture(spend, holdID: hold.holdID, timeout: timeout)
                    }.get()
                }
            case .charge:
                spend.charged = try? await recorder.call("wallet", "Charge") { () async throws(RPCError) in
                    try await self.charge(spend, timeout: timeout)
                }.get()
            }
            let made = spend
            spends.withLock { $0.append(made) }
            try? await Task.sleep(for: pause)
        }
    }

    /// Replays every step of `spend` with its idempotency key: steps that were
    /// answered OK must return the very same answer; steps that failed are
    /// completed now.
    func settle(_ spend: Spend, timeout: Duration) async throws(RPCError) -> SettledSpend {
        var mismatches: [String] = []
        switch spend.kind {
        case .authorizeThenCapture:
            let hold = try await authorize(spend, timeout: timeout)
            if let original = spend.authorized, original.holdID != hold.holdID || original.createdAtUs != hold.createdAtUs {
                mismatches.append("Authorize \(spend.key): answered hold \(original.holdID), replay \(hold.holdID)")
            }
            let capture = try await self.capture(spend, holdID: hold.holdID, timeout: timeout)
            if let original = spend.captured, original.entryID != capture.entryID || original.createdAtUs != capture.createdAtUs {
                mismatches.append("Capture \(spend.captureKey): answered entry \(original.entryID), replay \(capture.entryID)")
            }
            if capture.capturedMicros != spend.amount {
                mismatches.append("Capture \(spend.captureKey): captured \(capture.capturedMicros) of \(spend.amount)")
            }
            return SettledSpend(spend: spend, holdID: hold.holdID, entryID: capture.entryID, replayMismatches: mismatches)
        case .charge:
            let charge = try await self.charge(spend, timeout: timeout)
            if let original = spend.charged,
               original.entryID != charge.entryID || original.holdID != charge.holdID || original.createdAtUs != charge.createdAtUs {
                mismatches.append("Charge \(spend.key): answered entry \(original.entryID), replay \(charge.entryID)")
            }
            return SettledSpend(spend: spend, holdID: charge.holdID, entryID: charge.entryID, replayMismatches: mismatches)
        }
    }

    private func authorize(_ spend: Spend, timeout: Duration) async throws(RPCError) -> AuthorizeResponse {
        var request = AuthorizeRequest()
        request.amountMicros = spend.amount
        request.providerID = world.providerID
        request.category = "inference"
        return try await wallet.call(
            WalletMethods.authorize, request,
            metadata: ["authorization": "Bearer \(world.agents[spend.agent].token)", "idempotency-key": spend.key], timeout: timeout)
    }

    private func capture(_ spend: Spend, holdID: String, timeout: Duration) async throws(RPCError) -> CaptureResponse {
        var request = CaptureRequest()
        request.tenantID = world.tenantID
        request.holdID = holdID
        return try await wallet.call(
            WalletMethods.capture, request,
            metadata: ["authorization": "Bearer \(world.providerToken)", "idempotency-key": spend.captureKey], timeout: timeout)
    }

    private func charge(_ spend: Spend, timeout: Duration) async throws(RPCError) -> ChargeResponse {
        var request = ChargeRequest()
        request.amountMicros = spend.amount
        request.providerID = world.providerID
        request.category = "inference"
        return try await wallet.call(
            WalletMethods.charge, request,
            metadata: ["authorization": "Bearer \(world.agents[spend.agent].token)", "idempotency-key": spend.key], timeout: timeout)
    }
}
