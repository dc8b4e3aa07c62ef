import Dispatch
import Glibc
import Synchronization

/// Resolves host names with the blocking `getaddrinfo` on a dispatch queue of
/// its own, never on a thread of Swift's cooperative pool, and stops waiting
/// at a deadline (the lookup itself then finishes unobserved).
final class HostResolver: Sendable {
    private let queue = DispatchQueue(label: "purser-host-resolver", attributes: .concurrent)

    /// Every distinct TCP address of `host`, in the resolver's order, or
    /// `HTTPError` 502 `dns_failed`; `timeout` when `limit` passes first.
    func resolve(_ host: String, within limit: Duration) async -> Result<[IPAddress], HTTPError> {
        let once = Once()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Result<[IPAddress], HTTPError>, Never>) in
            queue.async {
                let result = Self.lookUp(host)
                if once.claim() { continuation.resume(returning: result) }
            }
            queue.asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: limit.unsignedNanoseconds))) {
                if once.claim() {
                    continuation.resume(returning: .failure(HTTPError(.gatewayTimeout, reason: "timeout", detail: "resolving \(host) took too long")))
                }
            }
        }
    }

    private static func lookUp(_ host: String) -> Result<[IPAddress], HTTPError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            return .failure(HTTPError(.badGateway, reason: "dns_failed", detail: "cannot resolve \(host): \(String(cString: gai_strerror(status)))"))
        }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var entry = list
        while let current = entry {
            if let socketAddress = current.pointee.ai_addr, let address = IPAddress(UnsafePointer(socketAddress)), !addresses.contains(address) {
                addresses.append(address)
            }
            entry = current.pointee.ai_next
        }
        guard !addresses.isEmpty else {
            return .failure(HTTPError(.badGateway, reason: "dns_failed", detail: "\(host) has no IPv4 or IPv6 address"))
        }
        return .success(addresses)
    }
}

/// A flag that only the first caller of `claim()` sets: whoever wins resumes a continuation.
final class Once: Sendable {
    private let claimed = Atomic<Bool>(false)

    func claim() -> Bool { !claimed.exchange(true, ordering: .acquiringAndReleasing) }
}
