import PurserAPI
import PurserPolicy
import PurserWallet
import PurserPolicyService
import PurserRPC
import PurserTestSupport
import Testing

@Suite("Effective policy views rebuilt for the engine, and error mapping")
struct EnginePolicyTests {
    @Test func aViewRebuildsTheMergedPolicyInTheTenantsZone() throws {
        var view = EffectivePolicyView()
        view.timeZone = "Australia/Sydney"
        view.tenantVersion = 4
        view.tenantDocumentJSON = #"{"per_call_max": "5.00", "blocked_categories": ["gambling"]}"#
        view.agentVersion = 2
        view.agentDocumentJSON = #"{"per_call_max": "1.50"}"#
        let policy = try view.enginePolicy()
        #expect(policy.timeZone.identifier == "Australia/Sydney")
        #expect(policy.perCallMax?.amount == 1_500_000)
        #expect(policy.perCallMax?.source == RuleSource(level: .agent, version: 2))
        #expect(policy.blockedCategories["gambling"] == RuleSource(level: .tenant, version: 4))
    }

    @Test func anEmptyViewIsAnUnrestrictedPolicyInUTC() throws {
        let policy = try EffectivePolicyView().enginePolicy()
        #expect(policy.timeZone.secondsFromGMT() == 0)
        #expect(policy.perCallMax == nil)
        #expect(policy.limits.isEmpty)
    }

    @Test(arguments: [
        ("Mars/Olympus_Mons", #"{}"#),
        ("UTC", #"{"per_call_max": 5}"#),
        ("UTC", "not json"),
    ])
    func unusableViewsAreRefusedNotGuessed(_ zone: String, _ json: String) {
        var view = EffectivePolicyView()
        view.timeZone = zone
        view.tenantVersion = 1
        view.tenantDocumentJSON = json
        let error = thrownRPCError { try view.enginePolicy() }
        #expect(error?.code == .unavailable)
        #expect(error?.reason == "policy_invalid_response")
    }

    @Test func everyPolicyClientFailureIsAnsweredAsPolicyUnavailable() {
        let errors = [
            RPCError.policyFetchFailed(RPCError(.deadlineExceeded, "deadline exceeded")),
            RPCError.policyFetchFailed(RPCError(.permissionDenied, "no", reason: "permission_denied")),
            RPCError.policyInvalidResponse("garbage"),
        ]
        for error in errors {
            #expect(RPCError.policyUnavailable(error).code == .unavailable)
            #expect(RPCError.policyUnavailable(error).reason == "policy_unavailable")
        }
    }

    @Test func invalidPolicyErrorsNameEveryFieldAndTheFirstInMetadata() {
        let error = RPCError.invalidPolicy(
            PolicyError(
                reason: .invalidPolicy,
                fieldErrors: [
                    FieldError(field: "limits[2].amount", message: "must be greater than 0"),
                    FieldError(field: "per_call_max", message: "must be greater than 0"),
                ]))
        #expect(error.code == .invalidArgument)
        #expect(error.reason == "invalid_policy")
        #expect(error.metadata["field"] == "limits[2].amount")
        #expect(error.message.contains("limits[2].amount: must be greater than 0"))
        #expect(error.message.contains("per_call_max: must be greater than 0"))
    }

    @Test func versionConflictsReportTheCurrentVersion() {
        let error = RPCError.versionConflict(expected: 3, current: 5)
        #expect(error.code == .failedPrecondition)
        #expect(error.reason == "version_conflict")
        #expect(error.metadata["current_version"] == "5")
    }
}
