import PurserRPC

/// The methods of `purser.email.v1.EmailAlias`, typed by request and response.
public enum EmailAliasMethods {
    static let prefix = "purser.email.v1.EmailAlias/"

    public static let createAlias = MethodDescriptor<CreateAliasRequest, Alias>(prefix + "CreateAlias")
    public static let listAliases = MethodDescriptor<ListAliasesRequest, ListAliasesResponse>(prefix + "ListAliases", idempotent: true)
    public static let disableAlias = MethodDescriptor<DisableAliasRequest, Alias>(prefix + "DisableAlias", idempotent: true)
    public static let enableAlias = MethodDescriptor<EnableAliasRequest, Alias>(prefix + "EnableAlias", idempotent: true)
    public static let disableAgent = MethodDescriptor<AgentRevocationNotice, DisableAgentResponse>(prefix + "DisableAgent", idempotent: true)
    public static let listMessages = MethodDescriptor<ListMessagesRequest, ListMessagesResponse>(prefix + "ListMessages", idempotent: true)
    public static let getMessage = MethodDescriptor<GetMessageRequest, EmailMessage>(prefix + "GetMessage", idempotent: true)
    public static let deleteMessage = MethodDescriptor<DeleteMessageRequest, DeleteMessageResponse>(prefix + "DeleteMessage", idempotent: true)

    /// The full name of every method, in the order of the proto file.
    public static let allNames: [String] = [
        createAlias.fullName, listAliases.fullName, disableAlias.fullName, enableAlias.fullName,
        disableAgent.fullName, listMessages.fullName, getMessage.fullName, deleteMessage.fullName,
    ]
}
