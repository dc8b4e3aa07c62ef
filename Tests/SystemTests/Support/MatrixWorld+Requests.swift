import Foundation
import PurserAPI
import PurserRPC

extension MatrixWorld {
    struct MissingRequest: Error, CustomStringConvertible {
        let method: String
        var description: String { "the matrix has no request for \(method): add one next to its access rule" }
    }

    /// The request every principal sends to `method`: aimed at acme's real
    /// resources, valid, and (for calls that consume something, such as a
    /// hold or a message) aimed at a fresh one, so each principal's answer
    /// depends only on who it is.
    func request(for method: String, _ fixture: MatrixFixture) async throws -> [UInt8] {
        let fresh = String(UUID().uuidString.prefix(12)).lowercased()
        let hour: Int64 = 3_600_000_000
        switch method {
        // Identity
        case IdentityMethods.bootstrap.fullName:
            return BootstrapRequest(label: "second operator").serializedBytes()
        case IdentityMethods.createTenant.fullName:
            return CreateTenantRequest(slug: "fresh-\(fresh)", name: "Fresh tenant").serializedBytes()
        case IdentityMethods.getTenant.fullName:
            return GetTenantRequest(tenantID: acmeID).serializedBytes()
        case IdentityMethods.listTenants.fullName:
            return ListTenantsRequest(pageSize: 200).serializedBytes()
        case IdentityMethods.updateTenantSettings.fullName:
            // Sets the value acme already has, so no other row sees a changed tenant.
            return with(UpdateTenantSettingsRequest()) {
                $0.tenantID = acmeID
                $0.acceptsPaymentsFromOtherTenants = false
            }.serializedBytes()
        case IdentityMethods.createApiKey.fullName:
            return CreateApiKeyRequest(tenantID: acmeID, role: .finance, label: "matrix").serializedBytes()
        case IdentityMethods.listApiKeys.fullName:
            return ListApiKeysRequest(tenantID: acmeID).serializedBytes()
        case IdentityMethods.revokeApiKey.fullName:
            return RevokeApiKeyRequest(tenantID: acmeID, keyID: victimKeyID).serializedBytes()
        case IdentityMethods.createAgent.fullName:
            return CreateAgentRequest(tenantID: acmeID, handle: "fresh-\(fresh)").serializedBytes()
        case IdentityMethods.createSubAgent.fullName:
            return with(CreateSubAgentRequest()) {
                $0.tenantID = acmeID; $0.parentAgentID = ownerAgentID; $0.handle = "sub-\(fresh)"
            }.serializedBytes()
        case IdentityMethods.getAgent.fullName:
            return GetAgentRequest(tenantID: acmeID, agentID: ownerAgentID).serializedBytes()
        case IdentityMethods.listAgents.fullName:
            return ListAgentsRequest(tenantID: acmeID).serializedBytes()
        case IdentityMethods.findAgent.fullName:
            return with(FindAgentRequest()) { $0.tenantID = acmeID; $0.tenantSlug = acmeSlug; $0.handle = ownerHandle }.serializedBytes()
        case IdentityMethods.rotateAgentSecret.fullName:
            return RotateAgentSecretRequest(tenantID: acmeID, agentID: ownerAgentID, gracePeriodUs: hour).serializedBytes()
        case IdentityMethods.suspendAgent.fullName:
            return SuspendAgentRequest(tenantID: acmeID, agentID: victimAgentID).serializedBytes()
        case IdentityMethods.resumeAgent.fullName:
            return ResumeAgentRequest(tenantID: acmeID, agentID: victimAgentID).serializedBytes()
        case IdentityMethods.revokeAgent.fullName:
            return RevokeAgentRequest(tenantID: acmeID, agentID: revokedAgentID, reason: "matrix").serializedBytes()
        case IdentityMethods.registerProvider.fullName:
            return RegisterProviderRequest(slug: "fresh-\(fresh)", name: "Fresh provider", defaultCategory: category).serializedBytes()
        case IdentityMethods.getProvider.fullName:
            return GetProviderRequest(providerID: payeeID).serializedBytes()
        case IdentityMethods.listProviders.fullName:
            return ListProvidersRequest(pageSize: 200).serializedBytes()
        case IdentityMethods.rotateProviderSecret.fullName:
            return RotateProviderSecretRequest(providerID: payeeID, gracePeriodUs: hour).serializedBytes()
        case IdentityMethods.issuePaymentToken.fullName:
            return IssuePaymentTokenRequest(providerID: payeeID, maxAmountMicros: 1_000_000, singleUse: true).serializedBytes()
        case IdentityMethods.signCreditAttestation.fullName:
            return with(SignCreditAttestationRequest()) {
                $0.tenantID = acmeID; $0.agentID = ownerAgentID; $0.providerID = payeeID; $0.holdID = UUID().uuidString.lowercased()
                $0.amountMicros = 1_000_000; $0.currency = "USD"; $0.resource = "https://api.example/matrix/\(fresh)"
                $0.expiresAtUs = Int64(Date().timeIntervalSince1970 * 1_000_000) + hour
            }.serializedBytes()
        case IdentityMethods.authenticate.fullName:
            return AuthenticateRequest(secret: "purser_ak_matrix\(fresh)").serializedBytes()
        case IdentityMethods.endSession.fullName:
            return with(EndSessionRequest()) { $0.token = "not-a-token-\(fresh)" }.serializedBytes()
        case IdentityMethods.getSigningKeys.fullName:
            return GetSigningKeysRequest().serializedBytes()
        case IdentityMethods.rotateSigningKey.fullName:
            return RotateSigningKeyRequest().serializedBytes()
        case IdentityMethods.listRevocations.fullName:
            return ListRevocationsRequest(since: 0).serializedBytes()
        case IdentityMethods.createWebhookEndpoint.fullName:
            return CreateWebhookEndpointRequest(tenantID: acmeID, url: "https://203.0.113.10/fresh-\(fresh)").serializedBytes()
        case IdentityMethods.listWebhookEndpoints.fullName:
            return ListWebhookEndpointsRequest(tenantID: acmeID).serializedBytes()
        case IdentityMethods.updateWebhookEndpoint.fullName:
            return UpdateWebhookEndpointRequest(tenantID: acmeID, endpointID: webhookEndpointID, description: "Matrix hooks").serializedBytes()
        case IdentityMethods.deleteWebhookEndpoint.fullName:
            return DeleteWebhookEndpointRequest(tenantID: acmeID, endpointID: victimWebhookEndpointID).serializedBytes()
        case IdentityMethods.rotateWebhookSecret.fullName:
            return RotateWebhookSecretRequest(tenantID: acmeID, endpointID: webhookEndpointID, overlapSeconds: 3600).serializedBytes()
        case IdentityMethods.listWebhookDeliveries.fullName:
            return ListWebhookDeliveriesRequest(tenantID: acmeID, endpointID: webhookEndpointID).serializedBytes()
        case IdentityMethods.redeliverWebhook.fullName:
            return RedeliverWebhookRequest(tenantID: acmeID, deliveryID: webhookDeliveryID).serializedBytes()
        case IdentityMethods.publishEvents.fullName:
            return PublishEventsRequest().serializedBytes()
        // Wallet
        case WalletMethods.setBalanceAlert.fullName:
            return with(SetBalanceAlertRequest()) { $0.agentID = ownerAgentID; $0.balanceLowMicros = 1_000_000 }.serializedBytes()
        case WalletMethods.fund.fullName:
            return with(FundRequest()) {
                $0.tenantID = acmeID; $0.amountMicros = 1_000_000; $0.externalReference = "matrix-\(fresh)"
            }.serializedBytes()
        case WalletMethods.allocate.fullName:
            return with(AllocateRequest()) { $0.agentID = ownerAgentID; $0.amountMicros = 1_000_000 }.serializedBytes()
        case WalletMethods.reclaim.fullName:
            return with(ReclaimRequest()) { $0.agentID = ownerAgentID; $0.amountMicros = 1_000 }.serializedBytes()
        case WalletMethods.getBalance.fullName:
            return with(GetBalanceRequest()) { $0.tenantID = acmeID; $0.agentID = ownerAgentID }.serializedBytes()
        case WalletMethods.authorize.fullName:
            return with(AuthorizeRequest()) {
                $0.amountMicros = 1_000_000; $0.providerID = payeeID; $0.category = category; $0.taskID = "matrix-\(fresh)"
            }.serializedBytes()
        case WalletMethods.authorizeCredit.fullName:
            return with(AuthorizeCreditRequest()) {
                $0.amountMicros = 1_000_000; $0.providerID = payeeID; $0.category = category; $0.taskID = "matrix-\(fresh)"
                $0.resource = "https://api.example/matrix/\(fresh)"
            }.serializedBytes()
        case WalletMethods.getHold.fullName:
            let hold = try await openHold(fixture)
            return with(GetHoldRequest()) { $0.tenantID = acmeID; $0.holdID = hold }.serializedBytes()
        case WalletMethods.capture.fullName:
            let hold = try await openHold(fixture)
            return with(CaptureRequest()) { $0.tenantID = acmeID; $0.holdID = hold }.serializedBytes()
        case WalletMethods.void.fullName:
            let hold = try await openHold(fixture)
            return with(VoidRequest()) { $0.tenantID = acmeID; $0.holdID = hold }.serializedBytes()
        case WalletMethods.charge.fullName:
            return with(ChargeRequest()) {
                $0.amountMicros = 1_000_000; $0.providerID = payeeID; $0.category = category; $0.taskID = "matrix-\(fresh)"
            }.serializedBytes()
        case WalletMethods.refund.fullName:
            let hold = try await capturedHold(fixture)
            return with(RefundRequest()) { $0.tenantID = acmeID; $0.holdID = hold; $0.reason = "matrix" }.serializedBytes()
        case WalletMethods.listEntries.fullName:
            return with(ListEntriesRequest()) { $0.tenantID = acmeID; $0.accountID = ownerAgentID }.serializedBytes()
        case WalletMethods.listBalances.fullName:
            return with(ListBalancesRequest()) { $0.tenantID = acmeID }.serializedBytes()
        case WalletMethods.listHolds.fullName:
            return with(ListHoldsRequest()) { $0.tenantID = acmeID; $0.agentID = ownerAgentID }.serializedBytes()
        case WalletMethods.listDenials.fullName:
            return with(ListDenialsRequest()) { $0.tenantID = acmeID; $0.agentID = ownerAgentID }.serializedBytes()
        case WalletMethods.freezeAccount.fullName:
            return revocationNotice.serializedBytes()
        case WalletMethods.captureFeed.fullName:
            return with(CaptureFeedRequest()) { $0.limit = 50 }.serializedBytes()
        case WalletMethods.transferFeed.fullName:
            return with(TransferFeedRequest()) { $0.limit = 50 }.serializedBytes()
        case WalletMethods.auditLedger.fullName:
            return with(AuditLedgerRequest()) { $0.tenantID = acmeID }.serializedBytes()
        case WalletMethods.ledgerTotals.fullName:
            return LedgerTotalsRequest(startAtUs: period.startAtUs, endAtUs: period.endAtUs, tenantID: acmeID).serializedBytes()
        case WalletMethods.getSpendCounters.fullName:
            return with(GetSpendCountersRequest()) { $0.tenantID = acmeID; $0.agentID = ownerAgentID }.serializedBytes()
        case WalletMethods.policyChanged.fullName:
            return PolicyChangedNotice(tenantID: acmeID, epoch: 1).serializedBytes()
        // Policy
        case PolicyMethods.setTenantPolicy.fullName:
            return SetTenantPolicyRequest(tenantID: acmeID, documentJSON: "{}").serializedBytes()
        case PolicyMethods.setAgentPolicy.fullName:
            return SetAgentPolicyRequest(tenantID: acmeID, agentID: ownerAgentID, documentJSON: "{}").serializedBytes()
        case PolicyMethods.getEffectivePolicy.fullName:
            return GetEffectivePolicyRequest(tenantID: acmeID, agentID: ownerAgentID).serializedBytes()
        case PolicyMethods.listPolicyVersions.fullName:
            return ListPolicyVersionsRequest(tenantID: acmeID).serializedBytes()
        case PolicyMethods.evaluate.fullName, PolicyMethods.simulate.fullName:
            return EvaluateRequest(
                tenantID: acmeID, agentID: ownerAgentID, amountMicros: 1_000_000, provider: "payee-\(suffix)", category: category
            ).serializedBytes()
        // Settlement
        case SettlementMethods.runSettlement.fullName:
            return RunSettlementRequest(period: period).serializedBytes()
        case SettlementMethods.listBatches.fullName:
            return ListBatchesRequest(tenantID: acmeID).serializedBytes()
        case SettlementMethods.getBatch.fullName:
            return GetBatchRequest(batchID: batchID).serializedBytes()
        case SettlementMethods.getTenantStatement.fullName:
            return GetTenantStatementRequest(tenantID: acmeID, period: period).serializedBytes()
        case SettlementMethods.getProviderPayout.fullName:
            return GetProviderPayoutRequest(providerID: payeeID, period: period).serializedBytes()
        case SettlementMethods.exportReport.fullName:
            return ExportReportRequest(kind: .statement, period: period, format: .json, tenantID: acmeID).serializedBytes()
        case SettlementMethods.markBatchPaid.fullName:
            return MarkBatchPaidRequest(batchID: batchID, externalReference: "matrix-paid").serializedBytes()
        case SettlementMethods.reconcile.fullName:
            return ReconcileRequest(period: period).serializedBytes()
        case SettlementMethods.listTenantBatches.fullName:
            return ListTenantBatchesRequest(tenantID: acmeID).serializedBytes()
        case SettlementMethods.getTenantBatch.fullName:
            return GetTenantBatchRequest(batchID: "00000000-0000-4000-8000-00000000b47c").serializedBytes()
        case SettlementMethods.markTenantBatchPaid.fullName:
            return MarkTenantBatchPaidRequest(batchID: "00000000-0000-4000-8000-00000000b47c", externalReference: "matrix-paid")
                .serializedBytes()
        // Email-alias
        case EmailAliasMethods.createAlias.fullName:
            return CreateAliasRequest(tenantID: acmeID, agentID: ownerAgentID, kind: .random).serializedBytes()
        case EmailAliasMethods.listAliases.fullName:
            return ListAliasesRequest(tenantID: acmeID, agentID: ownerAgentID).serializedBytes()
        case EmailAliasMethods.disableAlias.fullName:
            return DisableAliasRequest(tenantID: acmeID, aliasID: spareAliasID).serializedBytes()
        case EmailAliasMethods.enableAlias.fullName:
            return EnableAliasRequest(tenantID: acmeID, aliasID: spareAliasID).serializedBytes()
        case EmailAliasMethods.disableAgent.fullName:
            return revocationNotice.serializedBytes()
        case EmailAliasMethods.listMessages.fullName:
            return ListMessagesRequest(tenantID: acmeID, agentID: ownerAgentID).serializedBytes()
        case EmailAliasMethods.getMessage.fullName:
            return GetMessageRequest(tenantID: acmeID, messageID: messageID).serializedBytes()
        case EmailAliasMethods.deleteMessage.fullName:
            let message = try await deliver(subject: "Matrix disposable \(fresh)", fixture)
            return DeleteMessageRequest(tenantID: acmeID, messageID: message).serializedBytes()
        default:
            throw MissingRequest(method: method)
        }
    }

    /// The notice Identity sends when it revokes the revoked agent.
    var revocationNotice: AgentRevocationNotice {
        AgentRevocationNotice(
            tenantID: acmeID, agentID: revokedAgentID, reason: "matrix", revokedAtUs: Int64(Date().timeIntervalSince1970 * 1_000_000))
    }

    /// What of acme `principal` must never see unless it is entitled to the
    /// answer: acme's identifiers, names and figures for outsiders; agent A's
    /// own for A's neighbours. Values the request itself carries are left out
    /// (an answer may echo what the caller sent).
    func secrets(hiddenFrom principal: MatrixPrincipal, request: [UInt8]) -> [String] {
        let ownerSecrets = [ownerHandle, ownerDisplayName, ownerAddress, spareAliasAddress, mailSubject,
                            String(ownerAllocation), "401.234567"]
        let tenantSecrets = [acmeID, acmeSlug, acmeName, ownerAgentID, revokedAgentID, victimAgentID, victimKeyID, batchID,
                             webhookEndpointID, webhookDeliveryID]
        let insiders: Set<MatrixPrincipal> = [.otherAgent, .suspendedAgent]
        let all = insiders.contains(principal) ? ownerSecrets : ownerSecrets + tenantSecrets
        let sent = String(decoding: request, as: UTF8.self)
        return all.filter { !$0.isEmpty && !sent.contains($0) }
    }
}
