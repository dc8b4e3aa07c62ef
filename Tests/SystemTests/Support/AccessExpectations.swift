import PurserAPI
import PurserRPC

/// What a call answers, as the matrix states it: OK, or a refusal with its status and `reason`.
enum ExpectedOutcome: Equatable, CustomStringConvertible {
    case ok
    case refused(StatusCode, String)

    /// The caller's kind may not call the method.
    static let denied = ExpectedOutcome.refused(.permissionDenied, "permission_denied")
    /// The target lies outside the caller's reach and looks exactly like one that does not exist.
    static let hidden = ExpectedOutcome.refused(.notFound, "not_found")

    static func unauthenticated(_ reason: String) -> ExpectedOutcome { .refused(.unauthenticated, reason) }

    var description: String {
        switch self {
        case .ok: "OK"
        case .refused(let code, let reason): "\(code.name)(\(reason))"
        }
    }

    /// True when the answer shows the caller acme's data by right.
    var isEntitled: Bool { self == .ok }
}

/// The kind of caller a matrix principal is, as the principal table of ARCHITECTURE.md §4 names them.
enum CallerKind: Hashable {
    case `operator`, admin, finance, agent, provider, service
}

extension MatrixPrincipal {
    /// The kind this principal authenticates as; `nil` when it has no valid credential.
    var kind: CallerKind? {
        switch self {
        case .operator: .operator
        case .acmeAdmin, .otherTenantAdmin: .admin
        case .acmeFinance: .finance
        case .ownerAgent, .otherAgent, .suspendedAgent, .otherTenantAgent: .agent
        case .payeeProvider, .otherProvider: .provider
        case .identityCertificate, .walletCertificate, .policyCertificate, .settlementCertificate, .emailCertificate: .service
        case .revokedAgent, .clientCertificate, .noToken, .expiredToken, .forgedSignature, .forgedKeyID, .forgedAlgorithmNone,
            .wrongAudience, .paymentToken:
            nil
        }
    }

    /// Why a principal without a valid credential is refused, before any rule of the method is consulted.
    var credentialFailure: String? {
        switch self {
        case .clientCertificate, .noToken: "token_missing"
        case .expiredToken: "token_expired"
        case .forgedSignature: "bad_signature"
        case .forgedKeyID: "unknown_key"
        case .forgedAlgorithmNone: "unsupported_algorithm"
        case .wrongAudience: "wrong_audience"
        case .revokedAgent: "subject_revoked"
        default: nil
        }
    }
}

/// Who may call one RPC, written from the principal table of ARCHITECTURE.md §4 and each
/// method's contract, independently of the services' own rule tables.
struct AccessRule {
    enum Gate {
        /// No credential is looked at: every caller gets `outcome`.
        case anyone(ExpectedOutcome)
        /// A client certificate from the deployment CA is required instead of a token.
        case clientCertificate
        /// These kinds; services only when named in `services` (`nil`: any service).
        case kinds(Set<CallerKind>, services: Set<String>? = nil)
    }

    var gate: Gate
    /// The principals of an allowed kind whose reach includes the targeted acme resource.
    var reach: Set<MatrixPrincipal>
    /// What a principal in reach gets.
    var reached: ExpectedOutcome = .ok
    /// Answers that differ from the rule above, each for a stated reason.
    var exceptions: [MatrixPrincipal: ExpectedOutcome] = [:]

    /// What a scoped token (a payment token) gets from every method that takes a principal: it is no
    /// caller's credential anywhere, so its row is the method list itself.
    static let scopedToken = ExpectedOutcome.refused(.permissionDenied, "token_scope")

    /// What `principal` must get.
    func expected(for principal: MatrixPrincipal) -> ExpectedOutcome {
        switch gate {
        case .anyone(let outcome):
            return outcome
        case .clientCertificate:
            return principal.certificate == nil
                ? .refused(.permissionDenied, "client_certificate_required")
                : .refused(.failedPrecondition, "already_bootstrapped")
        case .kinds(let kinds, let services):
            if let failure = principal.credentialFailure { return .unauthenticated(failure) }
            if principal == .paymentToken { return Self.scopedToken }
            if let exception = exceptions[principal] { return exception }
            guard let kind = principal.kind, kinds.contains(kind) else { return .denied }
            if let name = principal.serviceName, let services, !services.contains(name) { return .denied }
            return reach.contains(principal) ? reached : .hidden
        }
    }
}

/// Reach sets shared by many rules.
enum Reach {
    static let services: Set<MatrixPrincipal> = [
        .identityCertificate, .walletCertificate, .policyCertificate, .settlementCertificate, .emailCertificate,
    ]
    /// Everyone who belongs to acme, plus the operator and services (who act across tenants).
    static let tenant: Set<MatrixPrincipal> =
        services.union([.operator, .acmeAdmin, .acmeFinance, .ownerAgent, .otherAgent, .suspendedAgent])
    /// Agent A's data: A, its tenant's admin and finance, the operator and services.
    static let ownerAgent: Set<MatrixPrincipal> = services.union([.operator, .acmeAdmin, .acmeFinance, .ownerAgent])
    /// What is payable to provider P: P, the operator and services.
    static let payee: Set<MatrixPrincipal> = services.union([.operator, .payeeProvider])
    static let everyone = Set(MatrixPrincipal.allCases)
}

/// The matrix: one rule per RPC of every service, by full method name.
enum AccessExpectations {
    static let rules: [String: AccessRule] = identity.merging(wallet) { first, _ in first }
        .merging(policy) { first, _ in first }
        .merging(settlement) { first, _ in first }
        .merging(email) { first, _ in first }

    /// Every method name of every service, as `…Methods.allNames` publish them.
    static let publishedMethods: [String] =
        IdentityMethods.allNames + WalletMethods.allNames + PolicyMethods.allNames + SettlementMethods.allNames
        + EmailAliasMethods.allNames

    static let identity: [String: AccessRule] = [
        IdentityMethods.bootstrap.fullName: AccessRule(gate: .clientCertificate, reach: []),
        IdentityMethods.createTenant.fullName: AccessRule(gate: .kinds([.operator]), reach: [.operator]),
        IdentityMethods.getTenant.fullName: AccessRule(gate: .kinds([.operator, .admin, .finance, .service]), reach: Reach.tenant),
        IdentityMethods.listTenants.fullName: AccessRule(gate: .kinds([.operator]), reach: [.operator]),
        // The operator or the tenant's own admin changes its settings; another tenant's admin does not find it.
        IdentityMethods.updateTenantSettings.fullName: AccessRule(gate: .kinds([.operator, .admin]), reach: Reach.tenant),
        IdentityMethods.createApiKey.fullName: AccessRule(gate: .kinds([.operator, .admin]), reach: Reach.tenant),
        IdentityMethods.listApiKeys.fullName: AccessRule(gate: .kinds([.operator, .admin]), reach: Reach.tenant),
        IdentityMethods.revokeApiKey.fullName: AccessRule(gate: .kinds([.operator, .admin]), reach: Reach.tenant),
        IdentityMethods.createAgent.fullName: AccessRule(gate: .kinds([.admin]), reach: Reach.tenant),
        IdentityMethods.getAgent.fullName: AccessRule(gate: .kinds([.admin, .finance, .agent, .service]), reach: Reach.ownerAgent),
        // An agent lists its own subtree (the request names none, so every acme agent gets its own).
        IdentityMethods.listAgents.fullName: AccessRule(gate: .kinds([.admin, .finance, .agent]), reach: Reach.tenant),
        // A sub-agent of A: A itself or acme's admin creates it; a sibling, a suspended agent or another tenant finds no A.
        IdentityMethods.createSubAgent.fullName: AccessRule(gate: .kinds([.admin, .agent]), reach: [.acmeAdmin, .ownerAgent]),
        IdentityMethods.rotateAgentSecret.fullName: AccessRule(gate: .kinds([.admin, .agent]), reach: Reach.ownerAgent),
        // The targets are sub-agents of A: acme's admin and A (their parent) act on them; A's sibling does not find them.
        IdentityMethods.suspendAgent.fullName: AccessRule(gate: .kinds([.admin, .agent]), reach: [.acmeAdmin, .ownerAgent]),
        IdentityMethods.resumeAgent.fullName: AccessRule(gate: .kinds([.admin, .agent]), reach: [.acmeAdmin, .ownerAgent]),
        IdentityMethods.revokeAgent.fullName: AccessRule(gate: .kinds([.admin, .agent]), reach: [.acmeAdmin, .ownerAgent]),
        IdentityMethods.registerProvider.fullName: AccessRule(gate: .kinds([.operator]), reach: [.operator]),
        // Tenants and agents read the provider catalogue; a provider sees only itself.
        IdentityMethods.getProvider.fullName: AccessRule(
            gate: .kinds([.operator, .admin, .finance, .agent, .provider, .service]), reach: Reach.everyone,
            exceptions: [.otherProvider: .hidden]),
        IdentityMethods.listProviders.fullName: AccessRule(
            gate: .kinds([.operator, .admin, .finance, .agent, .provider]), reach: Reach.everyone),
        IdentityMethods.rotateProviderSecret.fullName: AccessRule(gate: .kinds([.operator, .provider]), reach: Reach.payee),
        // The request carries its own (here: wrong) secret; whoever calls, it is refused alike.
        IdentityMethods.authenticate.fullName: AccessRule(gate: .anyone(.unauthenticated("invalid_credentials")), reach: []),
        IdentityMethods.getSigningKeys.fullName: AccessRule(gate: .anyone(.ok), reach: []),
        IdentityMethods.rotateSigningKey.fullName: AccessRule(gate: .kinds([.operator]), reach: [.operator]),
        IdentityMethods.listRevocations.fullName: AccessRule(gate: .kinds([.service]), reach: Reach.services),
        // An agent issues payment tokens for itself (the request names only the payee); a suspended one may not.
        IdentityMethods.issuePaymentToken.fullName: AccessRule(
            gate: .kinds([.agent]), reach: Reach.everyone,
            exceptions: [.suspendedAgent: .refused(.failedPrecondition, "agent_suspended")]),
        // The Wallet has a credit attestation signed for a hold it placed; no one else may have one signed.
        IdentityMethods.signCreditAttestation.fullName: AccessRule(gate: .kinds([.service], services: ["wallet"]), reach: Reach.services),
        // The Wallet resolves a payee named handle@tenant-slug; no one else may look agents up by handle.
        IdentityMethods.findAgent.fullName: AccessRule(gate: .kinds([.service], services: ["wallet"]), reach: Reach.services),
        // The request carries the token it ends (here: one that does not verify); whoever calls, it is refused alike.
        IdentityMethods.endSession.fullName: AccessRule(gate: .anyone(.unauthenticated("token_malformed")), reach: []),
        // A tenant's webhooks: its admin manages them, its finance key reads the endpoints and their delivery log.
        IdentityMethods.createWebhookEndpoint.fullName: AccessRule(gate: .kinds([.admin]), reach: Reach.tenant),
        IdentityMethods.listWebhookEndpoints.fullName: AccessRule(gate: .kinds([.admin, .finance]), reach: Reach.tenant),
        IdentityMethods.updateWebhookEndpoint.fullName: AccessRule(gate: .kinds([.admin]), reach: Reach.tenant),
        IdentityMethods.deleteWebhookEndpoint.fullName: AccessRule(gate: .kinds([.admin]), reach: Reach.tenant),
        IdentityMethods.rotateWebhookSecret.fullName: AccessRule(gate: .kinds([.admin]), reach: Reach.tenant),
        IdentityMethods.listWebhookDeliveries.fullName: AccessRule(gate: .kinds([.admin, .finance]), reach: Reach.tenant),
        IdentityMethods.redeliverWebhook.fullName: AccessRule(gate: .kinds([.admin]), reach: Reach.tenant),
        // The services whose outboxes hold events relay them; the request here is an empty batch.
        IdentityMethods.publishEvents.fullName: AccessRule(
            gate: .kinds([.service], services: ["wallet", "email", "settlement"]), reach: Reach.services),
    ]

    static let wallet: [String: AccessRule] = [
        WalletMethods.fund.fullName: AccessRule(gate: .kinds([.operator, .admin]), reach: Reach.tenant),
        // From the treasury (the request names no from_agent_id): the admin's. An agent moves credits only from
        // itself to a descendant and Identity only for a tenant it names, so the request lacks what they must name.
        WalletMethods.allocate.fullName: AccessRule(
            gate: .kinds([.admin, .agent, .service], services: ["identity"]), reach: Reach.tenant,
            exceptions: Dictionary(uniqueKeysWithValues: [MatrixPrincipal.ownerAgent, .otherAgent, .suspendedAgent, .otherTenantAgent,
                                                           .identityCertificate].map { ($0, ExpectedOutcome.refused(.invalidArgument, "invalid_argument")) })),
        WalletMethods.reclaim.fullName: AccessRule(
            gate: .kinds([.admin, .agent]), reach: Reach.tenant,
            exceptions: Dictionary(uniqueKeysWithValues: [MatrixPrincipal.ownerAgent, .otherAgent, .suspendedAgent, .otherTenantAgent]
                .map { ($0, ExpectedOutcome.refused(.invalidArgument, "invalid_argument")) })),
        WalletMethods.getBalance.fullName: AccessRule(gate: .kinds([.admin, .finance, .agent]), reach: Reach.ownerAgent),
        // The tenant admin sets an agent's balance_low threshold; another tenant's admin does not find the agent.
        WalletMethods.setBalanceAlert.fullName: AccessRule(gate: .kinds([.admin]), reach: Reach.tenant),
        // An agent spends from its own account: the request names no agent, so every agent is in reach of its own.
        WalletMethods.authorize.fullName: AccessRule(gate: .kinds([.agent]), reach: Reach.everyone),
        // The same hold, plus Identity's attestation, which Identity signs for active agents only.
        WalletMethods.authorizeCredit.fullName: AccessRule(
            gate: .kinds([.agent]), reach: Reach.everyone,
            exceptions: [.suspendedAgent: .refused(.failedPrecondition, "agent_suspended")]),
        // A hold's state is its payee's to read.
        WalletMethods.getHold.fullName: AccessRule(gate: .kinds([.provider]), reach: [.payeeProvider]),
        // Capture and release are the payee's acts: the payer cannot take back what it promised. An agent
        // may call them for holds that pay it; the matrix hold pays provider P, so every agent is out of reach.
        WalletMethods.capture.fullName: AccessRule(gate: .kinds([.provider, .agent]), reach: [.payeeProvider]),
        WalletMethods.void.fullName: AccessRule(gate: .kinds([.provider, .agent]), reach: [.payeeProvider]),
        // A provider charges agent A by presenting A's payment token for the payee in `agent-authorization`
        // (the matrix adds it for providers), and only for itself: the request names the payee.
        WalletMethods.charge.fullName: AccessRule(
            gate: .kinds([.agent, .provider]), reach: Reach.everyone, exceptions: [.otherProvider: .denied]),
        // Refunds are the payee's, or the operator's; never the payer's tenant alone.
        WalletMethods.refund.fullName: AccessRule(gate: .kinds([.provider, .operator]), reach: [.payeeProvider, .operator]),
        WalletMethods.listEntries.fullName: AccessRule(gate: .kinds([.admin, .finance, .agent]), reach: Reach.ownerAgent),
        WalletMethods.listBalances.fullName: AccessRule(gate: .kinds([.admin, .finance]), reach: Reach.tenant),
        WalletMethods.listHolds.fullName: AccessRule(gate: .kinds([.admin, .finance, .agent]), reach: Reach.ownerAgent),
        WalletMethods.listDenials.fullName: AccessRule(gate: .kinds([.admin, .finance, .agent]), reach: Reach.ownerAgent),
        WalletMethods.freezeAccount.fullName: AccessRule(gate: .kinds([.service], services: ["identity"]), reach: Reach.services),
        WalletMethods.captureFeed.fullName: AccessRule(gate: .kinds([.service], services: ["settlement"]), reach: Reach.services),
        WalletMethods.transferFeed.fullName: AccessRule(gate: .kinds([.service], services: ["settlement"]), reach: Reach.services),
        WalletMethods.auditLedger.fullName: AccessRule(gate: .kinds([.operator, .admin, .finance]), reach: Reach.tenant),
        WalletMethods.ledgerTotals.fullName: AccessRule(
            gate: .kinds([.operator, .finance, .service], services: ["settlement"]), reach: Reach.tenant),
        WalletMethods.getSpendCounters.fullName: AccessRule(gate: .kinds([.service], services: ["policy"]), reach: Reach.services),
        WalletMethods.policyChanged.fullName: AccessRule(gate: .kinds([.service], services: ["policy"]), reach: Reach.services),
    ]

    /// Capture and Void of a hold agent A placed to pay agent B of its own tenant (`payee_agent_id`):
    /// only B, its payee, may take or release it. A (the payer cannot take back what it promised), the
    /// suspended agent standing for a sibling C, the other tenant's agent and both providers are out of
    /// reach and get NOT_FOUND, as for a hold that does not exist. The tenant's admin and finance keys, the
    /// operator and services are refused by kind (PERMISSION_DENIED) before the hold is read: the
    /// tenant's keys do not act as a payee.
    static let agentPayeeHold: [MatrixRow] = [
        MatrixRow(
            name: WalletMethods.capture.fullName + " of a hold paying agent B", method: WalletMethods.capture.fullName,
            rule: AccessRule(gate: .kinds([.provider, .agent]), reach: [.otherAgent])
        ) { world, fixture in
            let hold = try await world.agentPayeeHold(fixture)
            return with(CaptureRequest()) { $0.tenantID = world.acmeID; $0.holdID = hold }.serializedBytes()
        },
        MatrixRow(
            name: WalletMethods.void.fullName + " of a hold paying agent B", method: WalletMethods.void.fullName,
            rule: AccessRule(gate: .kinds([.provider, .agent]), reach: [.otherAgent])
        ) { world, fixture in
            let hold = try await world.agentPayeeHold(fixture)
            return with(VoidRequest()) { $0.tenantID = world.acmeID; $0.holdID = hold }.serializedBytes()
        },
    ]

    /// Rows for a target other than the one `MatrixWorld.request(for:)` names.
    static var targetedRows: [MatrixRow] { agentPayeeHold + subAgentPolicy }

    /// The override of agent A's child C: A, as C's parent, sets and reads it like the tenant's
    /// admin; B (a sibling of A, not an ancestor of C), the suspended agent and the other tenant's
    /// agent do not find C. Identity sets it (at C's creation); the Wallet reads it.
    static let subAgentPolicy: [MatrixRow] = [
        MatrixRow(
            name: PolicyMethods.setAgentPolicy.fullName + " of A's child", method: PolicyMethods.setAgentPolicy.fullName,
            rule: AccessRule(
                gate: .kinds([.admin, .agent, .service], services: ["identity"]),
                reach: [.acmeAdmin, .identityCertificate, .ownerAgent])
        ) { world, _ in
            SetAgentPolicyRequest(tenantID: world.acmeID, agentID: world.childAgentID, documentJSON: "{}").serializedBytes()
        },
        MatrixRow(
            name: PolicyMethods.getEffectivePolicy.fullName + " of A's child", method: PolicyMethods.getEffectivePolicy.fullName,
            rule: AccessRule(gate: .kinds([.admin, .finance, .agent, .service], services: ["wallet"]), reach: Reach.ownerAgent)
        ) { world, _ in
            GetEffectivePolicyRequest(tenantID: world.acmeID, agentID: world.childAgentID).serializedBytes()
        },
        MatrixRow(
            name: PolicyMethods.listPolicyVersions.fullName + " of A's child", method: PolicyMethods.listPolicyVersions.fullName,
            rule: AccessRule(gate: .kinds([.admin, .finance, .agent]), reach: [.acmeAdmin, .acmeFinance, .ownerAgent])
        ) { world, _ in
            ListPolicyVersionsRequest(tenantID: world.acmeID, agentID: world.childAgentID).serializedBytes()
        },
    ]

    static let policy: [String: AccessRule] = [
        PolicyMethods.setTenantPolicy.fullName: AccessRule(gate: .kinds([.admin]), reach: Reach.tenant),
        // Agent A's override: its tenant's admin, any strict ancestor agent of A (A is a root here, so no agent:
        // A itself may not set its own, any other agent does not find A), and Identity (a sub-agent's override
        // at its creation).
        PolicyMethods.setAgentPolicy.fullName: AccessRule(
            gate: .kinds([.admin, .agent, .service], services: ["identity"]), reach: [.acmeAdmin, .identityCertificate],
            exceptions: [.ownerAgent: .denied]),
        PolicyMethods.getEffectivePolicy.fullName: AccessRule(
            gate: .kinds([.admin, .finance, .agent, .service], services: ["wallet"]), reach: Reach.ownerAgent),
        // The tenant default's versions: admin and finance; an agent reads only its descendants' overrides.
        PolicyMethods.listPolicyVersions.fullName: AccessRule(
            gate: .kinds([.admin, .finance, .agent]), reach: [.acmeAdmin, .acmeFinance],
            exceptions: [.ownerAgent: .denied, .otherAgent: .denied, .suspendedAgent: .denied]),
        PolicyMethods.evaluate.fullName: AccessRule(gate: .kinds([.service], services: ["wallet"]), reach: Reach.services),
        PolicyMethods.simulate.fullName: AccessRule(gate: .kinds([.admin]), reach: Reach.tenant),
    ]

    static let settlement: [String: AccessRule] = [
        SettlementMethods.runSettlement.fullName: AccessRule(gate: .kinds([.operator]), reach: [.operator]),
        // A provider's list is narrowed to its own batches: the payee sees acme's batch with it; another provider,
        // naming a tenant it has no batch with, is answered NOT_FOUND like GetBatch.
        SettlementMethods.listBatches.fullName: AccessRule(
            gate: .kinds([.operator, .admin, .finance, .provider]), reach: [.operator, .acmeAdmin, .acmeFinance, .payeeProvider]),
        SettlementMethods.getBatch.fullName: AccessRule(
            gate: .kinds([.operator, .admin, .finance, .provider]), reach: [.operator, .acmeAdmin, .acmeFinance, .payeeProvider]),
        SettlementMethods.getTenantStatement.fullName: AccessRule(
            gate: .kinds([.operator, .admin, .finance]), reach: Reach.tenant),
        SettlementMethods.getProviderPayout.fullName: AccessRule(gate: .kinds([.operator, .provider]), reach: Reach.payee),
        // The request exports a tenant statement: the tenant's readers only (providers export payouts).
        SettlementMethods.exportReport.fullName: AccessRule(
            gate: .kinds([.operator, .admin, .finance]), reach: [.operator, .acmeAdmin, .acmeFinance]),
        // Today's batch is still open: the operator passes the gate and meets the batch's state.
        SettlementMethods.markBatchPaid.fullName: AccessRule(
            gate: .kinds([.operator]), reach: [.operator], reached: .refused(.failedPrecondition, "batch_not_closed")),
        SettlementMethods.reconcile.fullName: AccessRule(gate: .kinds([.operator]), reach: [.operator]),
        // Acme pays no other tenant in the matrix world: its list is empty but answered; another tenant naming acme gets
        // NOT_FOUND. No tenant batch exists, so reading or paying one (an unknown id) is NOT_FOUND past the gate.
        SettlementMethods.listTenantBatches.fullName: AccessRule(
            gate: .kinds([.operator, .admin, .finance]), reach: [.operator, .acmeAdmin, .acmeFinance]),
        SettlementMethods.getTenantBatch.fullName: AccessRule(gate: .kinds([.operator, .admin, .finance]), reach: []),
        SettlementMethods.markTenantBatchPaid.fullName: AccessRule(gate: .kinds([.operator]), reach: []),
    ]

    static let email: [String: AccessRule] = [
        EmailAliasMethods.createAlias.fullName: AccessRule(
            gate: .kinds([.agent, .admin, .service], services: ["identity"]), reach: Reach.ownerAgent),
        EmailAliasMethods.listAliases.fullName: AccessRule(
            gate: .kinds([.agent, .admin, .service], services: ["identity"]), reach: Reach.ownerAgent),
        EmailAliasMethods.disableAlias.fullName: AccessRule(gate: .kinds([.agent, .admin]), reach: Reach.ownerAgent),
        EmailAliasMethods.enableAlias.fullName: AccessRule(gate: .kinds([.agent, .admin]), reach: Reach.ownerAgent),
        EmailAliasMethods.disableAgent.fullName: AccessRule(gate: .kinds([.service], services: ["identity"]), reach: Reach.services),
        EmailAliasMethods.listMessages.fullName: AccessRule(gate: .kinds([.agent, .admin]), reach: Reach.ownerAgent),
        EmailAliasMethods.getMessage.fullName: AccessRule(gate: .kinds([.agent, .admin]), reach: Reach.ownerAgent),
        EmailAliasMethods.deleteMessage.fullName: AccessRule(gate: .kinds([.agent, .admin]), reach: Reach.ownerAgent),
    ]
}
