import PurserAPI
import PurserAuth
import PurserRPC

extension SettlementService {
    /// `ListTenantBatches`: the operator sees every tenant batch (or those of
    /// `tenant_id`); a tenant's admin and finance only those their tenant is
    /// a side of (naming another tenant answers NOT_FOUND).
    func listTenantBatches(_ request: ListTenantBatchesRequest, principal: Principal) async throws -> ListTenantBatchesResponse {
        var tenantID = request.tenantID
        switch principal {
        case .tenantAdmin(let tenant), .tenantFinance(let tenant):
            guard tenantID.isEmpty || tenantID == tenant else { throw RPCError.notFound }
            tenantID = tenant
        default:
            break
        }
        var period: SettlementPeriod?
        if let requested = request.period { period = try SettlementPeriod(requested) }
        let page = try await store.listTenantBatches(
            tenantID: tenantID, state: request.state, period: period, pageSize: Int(request.pageSize), pageToken: request.pageToken)
        var response = ListTenantBatchesResponse()
        response.batches = page.batches
        response.nextPageToken = page.nextPageToken
        return response
    }

    /// `GetTenantBatch`: for the operator and the admin and finance principals
    /// of either of its tenants; NOT_FOUND for anyone else.
    func getTenantBatch(_ request: GetTenantBatchRequest, principal: Principal) async throws -> TenantBatch {
        guard let batch = try await store.tenantBatch(id: request.batchID), Self.mayRead(batch, principal) else {
            throw RPCError.notFound
        }
        return batch
    }

    /// `MarkTenantBatchPaid` (operator): closed → paid with the external
    /// reference, idempotent for the same reference, as `MarkBatchPaid`.
    func markTenantBatchPaid(_ request: MarkTenantBatchPaidRequest) async throws -> TenantBatch {
        let reference = try Self.externalReference(request.externalReference)
        guard let batch = try await store.markTenantBatchPaid(batchID: request.batchID, reference: reference, nowUs: clock.nowUs())
        else {
            throw RPCError.notFound
        }
        return batch
    }

    /// Whether `principal` may read `batch`: the operator, or a tenant principal of either side.
    static func mayRead(_ batch: TenantBatch, _ principal: Principal) -> Bool {
        switch principal {
        case .operator: true
        case .tenantAdmin(let tenant), .tenantFinance(let tenant): batch.tenantLowID == tenant || batch.tenantHighID == tenant
        case .provider, .agent, .service: false
        }
    }
}
