import PurserRPC
import PurserService

extension WalletError: RPCErrorConvertible {
    /// The status, `reason` and detail metadata a caller receives.
    package var rpcError: RPCError {
        var metadata = Metadata()
        for key in details.keys.sorted() {
            if let value = details[key] { metadata.append(key, value) }
        }
        return RPCError(code.status, message, reason: reason, metadata: metadata)
    }
}

extension WalletError.Code {
    var status: StatusCode {
        switch self {
        case .invalidArgument: .invalidArgument
        case .notFound: .notFound
        case .alreadyExists: .alreadyExists
        case .failedPrecondition: .failedPrecondition
        case .permissionDenied: .permissionDenied
        case .unauthenticated: .unauthenticated
        case .unavailable: .unavailable
        case .internal: .internal
        }
    }
}
