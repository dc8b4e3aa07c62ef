import PurserAPI
import PurserAuth
import PurserRPC

extension SettlementService {
    /// `RunSettlement` (operator): drains the capture feed when it can (a
    /// failure is logged, not fatal: late entries become adjustments), then
    /// settles the period. Idempotent; see `SettlementStore.run`.
    func runSettlement(_ request: RunSettlementRequest) async throws -> RunSettlementResponse {
        let period = try SettlementPeriod(request.period)
        do {
            try await consumer.catchUp()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            logger.warning("capture feed not drained before settlement", ["error": "\(error)"])
        }
        return try await store.run(period, nowUs: clock.nowUs())
    }

    /// `ListBatches`: the operator sees every batch; tenant principals only
    /// their tenant's and providers only their own (naming another answers NOT_FOUND).
    /// A counterparty named in the filter — a provider for a tenant principal, a
    /// tenant for a provider, either for the operator — must share a batch with
    /// the caller (whatever its state or period): any other id, another tenant's
    /// or unknown, answers NOT_FOUND as `GetBatch` does, never an empty page.
    func listBatches(_ request: ListBatchesRequest, principal: Principal) async throws -> ListBatchesResponse {
        var filter = BatchFilter(tenantID: request.tenantID, providerID: request.providerID, state: request.state)
        if let period = request.period { filter.period = try SettlementPeriod(period) }
        let namesCounterparty: Bool
        switch principal {
        case .tenantAdmin(let tenant), .tenantFinance(let tenant):
            guard request.tenantID.isEmpty || request.tenantID == tenant else { throw RPCError.notFound }
            filter.tenantID = tenant
            namesCounterparty = !request.providerID.isEmpty
        case .provider(let provider):
            guard request.providerID.isEmpty || request.providerID == provider else { throw RPCError.notFound }
            filter.providerID = provider
            namesCounterparty = !request.tenantID.isEmpty
        default:
            namesCounterparty = !request.tenantID.isEmpty || !request.providerID.isEmpty
        }
        if namesCounterparty, try await !store.hasBatch(tenantID: filter.tenantID, providerID: filter.providerID) {
            throw RPCError.notFound
        }
        return try await store.listBatches(filter, pageSize: Int(request.pageSize), pageToken: request.pageToken)
    }

    /// `GetBatch`: the batch with its lines, for the operator, its tenant's
    /// admin and finance principals and its provider; NOT_FOUND for anyone else.
    func getBatch(_ request: GetBatchRequest, principal: Principal) async throws -> Batch {
        guard let batch = try await store.batch(id: request.batchID), Self.mayRead(batch, principal) else {
            throw RPCError.notFound
        }
        return batch
    }

    /// `MarkBatchPaid` (operator): closed → paid with the external reference,
    /// idempotent for the same reference.
    func markBatchPaid(_ request: MarkBatchPaidRequest) async throws -> Batch {
        let reference = try Self.externalReference(request.externalReference)
        guard let batch = try await store.markPaid(batchID: request.batchID, reference: reference, nowUs: clock.nowUs()) else {
            throw RPCError.notFound
        }
        return batch
    }

    /// `reference` when it is 1 to 256 bytes without control characters; INVALID_ARGUMENT otherwise.
    static func externalReference(_ reference: String) throws -> String {
        guard !reference.isEmpty, reference.utf8.count <= 256,
            !reference.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw RPCError.invalidArgument("external_reference must be 1 to 256 bytes without control characters")
        }
        return reference
    }

    /// Whether `principal` may read `batch`.
    static func mayRead(_ batch: Batch, _ principal: Principal) -> Bool {
        switch principal {
        case .operator: true
        case .tenantAdmin(let tenant), .tenantFinance(let tenant): batch.tenantID == tenant
        case .provider(let provider): batch.providerID == provider
        case .agent, .service: false
        }
    }
}
