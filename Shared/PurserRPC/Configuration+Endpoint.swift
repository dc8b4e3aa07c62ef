import PurserKit

extension Configuration {
    /// An endpoint setting, `host:port` (an IPv6 host in brackets) with a port
    /// in `ports`; the error names the variable and the rejected value.
    public func endpoint(
        _ setting: String, default defaultValue: String, ports: ClosedRange<Int> = Endpoint.peerPorts, doc: String
    ) throws(ConfigurationError) -> Endpoint {
        try parsedEndpoint(setting, try string(setting, default: defaultValue, doc: doc), ports: ports)
    }

    /// An optional listen address: unset or empty is nil (the listener is off).
    public func optionalListenEndpoint(_ setting: String, doc: String) throws(ConfigurationError) -> Endpoint? {
        let text = try string(setting, default: "", doc: doc)
        return text.isEmpty ? nil : try parsedEndpoint(setting, text, ports: Endpoint.listenPorts)
    }

    private func parsedEndpoint(_ setting: String, _ text: String, ports: ClosedRange<Int>) throws(ConfigurationError) -> Endpoint {
        guard let endpoint = Endpoint(parsing: text, ports: ports) else {
            throw .invalid(variable: variable(setting), value: text, expected: "host:port")
        }
        return endpoint
    }
}
