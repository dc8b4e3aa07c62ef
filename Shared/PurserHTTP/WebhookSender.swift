import CLinux
import Glibc
import PurserKit
import PurserRPC
import Synchronization

/// Sends signed webhook deliveries: one HTTPS POST per call, on one event
/// loop shared by every send, safe to call concurrently.
///
/// Guarantees, per attempt:
/// - SSRF: the host's addresses are resolved once (off Swift's cooperative
///   pool) and every one is checked with `OutboundAddressPolicy`; if any is
///   refused the attempt is refused (a name that also resolves to a private
///   address is a rebinding risk). The connection goes to a checked numeric
///   address, never to the name, so nothing is resolved again.
/// - TLS 1.2 or 1.3 to the receiver, SNI and certificate verification against
///   the URL's host name (or IP address), chained to the configured roots.
/// - Redirects are never followed: a 3xx fails with `redirect_refused`.
/// - The whole attempt (DNS, connect, TLS, request, response) ends by `timeout`.
/// - A body larger than `maximumResponseBodySize` fails with `response_too_large`
///   (receivers answer deliveries with small bodies; a large one is not read on).
/// - Never throws for a receiver's failure: the result says what happened.
///
/// With several addresses, the next one is tried only when connecting to the
/// previous one failed, within the same deadline.
public final class WebhookSender: Sendable {
    public let configuration: WebhookSenderConfiguration
    private let context: TLSContext
    private let loop: EventLoop
    private let resolver = HostResolver()
    private let stopped = Atomic<Bool>(false)

    /// Loads the trust roots and starts the sender's event loop. Throws
    /// `RPCError` `tls_configuration` when the trust roots cannot be read.
    public init(configuration: WebhookSenderConfiguration) throws {
        self.configuration = configuration
        context = try TLSContext(.client(trustRootsPath: configuration.trustRootsPath), role: .client,
                                 applicationProtocol: .http11, allowTLS12: true)
        loop = try EventLoop(name: "purser-webhooks")
        loop.start()
    }

    /// Stops the event loop. Call once no `send` is in flight; later sends
    /// fail with `sender_shut_down`.
    public func shutdown() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        loop.stopAndWait()
    }

    /// POSTs `body` with `headers` (from `WebhookSignature.headers`) to `url`
    /// and reports the outcome; see the type's guarantees.
    public func send(url: WebhookURL, headers: HTTPHeaders, body: [UInt8]) async -> WebhookAttemptResult {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + configuration.timeout
        func result(_ status: Int?, _ error: String?, _ detail: String, _ body: [UInt8] = []) -> WebhookAttemptResult {
            WebhookAttemptResult(statusCode: status, error: error, detail: detail, latency: clock.now - start,
                                 responseExcerpt: String(decoding: body.prefix(512), as: UTF8.self))
        }
        guard !stopped.load(ordering: .acquiring) else { return result(nil, "sender_shut_down", "the sender was shut down") }
        let addresses: [IPAddress]
        switch await checkedAddresses(of: url, within: deadline - clock.now) {
        case .success(let checked): addresses = checked
        case .failure(let error): return result(nil, error.reason, error.detail)
        }
        var requestHeaders = headers
        requestHeaders.remove(name: "Host")  // always the URL's host, the name the certificate is checked against
        requestHeaders.replaceOrAdd(name: "Connection", value: "close")
        let request = HTTPClientRequest(method: "POST", target: url.target, headers: requestHeaders, body: .bytes(body))
            .encoded(host: url.hostField)
        var failure = HTTPError(.badGateway, reason: "connect_failed", detail: "no address to connect to")
        for address in addresses {
            let remaining = deadline - clock.now
            guard remaining > .zero else { return result(nil, "timeout", "no answer within \(configuration.timeout)") }
            switch await exchange(request, with: address, url: url, within: remaining) {
            case .success(let response):
                let status = response.status.code
                switch status {
                case 200..<300: return result(status, nil, "answered \(response.status)", response.body)
                case 300..<400:
                    let location = response.headers["Location"].map { " to \($0)" } ?? ""
                    return result(status, "redirect_refused", "answered \(response.status)\(location); redirects are not followed", response.body)
                default: return result(status, "http_status", "answered \(response.status)", response.body)
                }
            case .failure(let error):
                if clock.now >= deadline { return result(nil, "timeout", "no answer within \(configuration.timeout): \(error.detail)") }
                guard error.reason == "connect_failed" else { return result(nil, error.reason, error.detail) }
                failure = error
            }
        }
        return result(nil, failure.reason, failure.detail)
    }

    /// Checks `url` as an attempt would, without sending anything: the URL
    /// itself, then every address its host resolves to (within `limit`).
    /// Throws the attempt's reason (`address_not_allowed`, `dns_failed`,
    /// `url_scheme`, `timeout`, …); what registration calls before it accepts an endpoint.
    public func check(_ url: WebhookURL, within limit: Duration = .seconds(5)) async throws(HTTPError) {
        if case .failure(let error) = await checkedAddresses(of: url, within: limit) { throw error }
    }

    /// The addresses an attempt may connect to: the literal address, or every
    /// address the name resolves to, each allowed by the policy (any refused
    /// address refuses them all: a name that also resolves privately is a rebinding risk).
    private func checkedAddresses(of url: WebhookURL, within limit: Duration) async -> Result<[IPAddress], HTTPError> {
        let policy = configuration.policy
        do {
            try url.validate(policy: policy)
        } catch {
            return .failure(error)
        }
        if let literal = url.address { return .success([literal]) }
        let addresses: [IPAddress]
        switch await resolver.resolve(url.host, within: limit) {
        case .success(let resolved): addresses = resolved
        case .failure(let error): return .failure(error)
        }
        do {
            try policy.check(addresses, resolvedFrom: url.host)
        } catch {
            return .failure(error)
        }
        return .success(addresses)
    }

    /// One connection to `address`: connect, handshake, send `request`, read
    /// the response, close. Failures carry the attempt's stable reasons.
    private func exchange(_ request: [UInt8], with address: IPAddress, url: WebhookURL, within limit: Duration) async -> Result<HTTPClientResponse, HTTPError> {
        let peer = "\(address) port \(url.port)"
        let fd = purser_tcp_connect_numeric(address.description, Int32(url.port))
        guard fd >= 0 else {
            return .failure(HTTPError(.badGateway, reason: "connect_failed", detail: "cannot connect to \(peer): \(String(cString: strerror(-fd)))"))
        }
        let transport: StreamTransport
        if url.scheme == .https {
            do {
                transport = try TLSSession(context: context, fd: fd, serverName: url.host)
            } catch {
                Glibc.close(fd)
                return .failure(HTTPError(.badGateway, reason: "tls_failed", detail: error.message))
            }
        } else {
            transport = PlainTransport(fd: fd)
        }
        let stream = StreamConnection(loop: loop, fd: fd, transport: transport, connecting: true, maximumBufferedBytes: 1 << 20)
        let connection = HTTPClientConnection(stream: stream, maximumBodySize: configuration.maximumResponseBodySize)
        loop.execute { connection.begin(handshakeTimeout: limit) }
        defer { connection.close() }
        do {
            return .success(try await connection.exchange(request, methods: ["POST"], timeout: limit)[0])
        } catch let error as HTTPError {
            // The connection says whether the connect or the TLS handshake failed; the log names the address.
            guard ["connect_failed", "tls_failed"].contains(error.reason) else { return .failure(error) }
            return .failure(HTTPError(.badGateway, reason: error.reason, detail: "\(peer): \(error.detail)"))
        } catch {
            return .failure(HTTPError(.badGateway, reason: "connection_lost", detail: "\(peer): \(error)"))
        }
    }
}
