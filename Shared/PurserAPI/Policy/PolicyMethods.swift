import PurserRPC

/// The methods of `purser.policy.v1.Policy`, typed by request and response.
public enum PolicyMethods {
    static let prefix = "purser.policy.v1.Policy/"

    public static let setTenantPolicy = MethodDescriptor<SetTenantPolicyRequest, PolicyVersion>(prefix + "SetTenantPolicy")
    public static let setAgentPolicy = MethodDescriptor<SetAgentPolicyRequest, PolicyVersion>(prefix + "SetAgentPolicy")
    public static let getEffectivePolicy = MethodDescriptor<GetEffectivePolicyRequest, EffectivePolicyView>(
        prefix + "GetEffectivePolicy", idempotent: true)
    public static let listPolicyVersions = MethodDescriptor<ListPolicyVersionsRequest, ListPolicyVersionsResponse>(
        prefix + "ListPolicyVersions", idempotent: true)
    public static let evaluate = MethodDescriptor<EvaluateRequest, EvaluateResponse>(prefix + "Evaluate", idempotent: true)
    public static let simulate = MethodDescriptor<EvaluateRequest, EvaluateResponse>(prefix + "Simulate", idempotent: true)

    /// The full name of every method, in the order of the proto file.
    public static let allNames: [String] = [
        setTenantPolicy.fullName, setAgentPolicy.fullName, getEffectivePolicy.fullName, listPolicyVersions.fullName,
        evaluate.fullName, simulate.fullName,
    ]
}
