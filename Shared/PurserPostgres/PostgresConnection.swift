import CLibPQ
import Foundation
import Glibc
import PurserKit

/// One libpq session, used only on the thread of the pool worker that owns it
/// (all calls block that thread, never the Swift concurrency pool).
///
/// Statements given to `query`/`execute` are prepared once per connection,
/// keyed by SQL text and parameter types, then executed by name; parameters
/// and results travel in binary where the type allows.
///
/// Not `Sendable` on purpose: a connection must not escape its worker.
public final class PostgresConnection {
    let handle: OpaquePointer
    private var statements: [StatementKey: String] = [:]
    private var nextStatement = 0
    private let cacheSize: Int
    private var parameterBuffer: [UInt8] = []

    struct StatementKey: Hashable {
        let sql: String
        let types: [UInt32]
    }

    /// Opens a session; blocks the calling thread up to the connect timeout.
    static func connect(_ configuration: PostgresConfiguration) throws(PostgresError) -> PostgresConnection {
        let timeoutSeconds = max(1, Int(configuration.connectTimeout.components.seconds))
        let keys = ["dbname", "application_name", "connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count"]
        let values = [configuration.url, configuration.applicationName, String(timeoutSeconds), "30", "10", "3"]
        let handle = withCStrings(keys) { keyPointers in
            withCStrings(values) { valuePointers in
                PQconnectdbParams(keyPointers, valuePointers, 1)
            }
        }
        guard let handle else { throw PostgresError(.unavailable, "out of memory opening a connection") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = PostgresError.connectionMessage(handle)
            PQfinish(handle)
            throw PostgresError(.unavailable, message)
        }
        // Server notices (and the FATAL sent on shutdown) would otherwise go to
        // stderr unformatted; errors reach callers as PostgresError instead.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        return PostgresConnection(handle: handle, cacheSize: configuration.preparedStatementCacheSize)
    }

    private init(handle: OpaquePointer, cacheSize: Int) {
        self.handle = handle
        self.cacheSize = cacheSize
    }

    deinit { PQfinish(handle) }

    /// `true` while libpq considers the session usable.
    public var isAlive: Bool { PQstatus(handle) == CONNECTION_OK }

    /// Checks an idle connection without a round trip: a server that closed the
    /// session (restart, idle timeout) leaves its goodbye readable on the
    /// socket, so a readable idle socket is consumed and the status re-read.
    /// Costs one non-blocking `poll`.
    func isUsableWhenIdle() -> Bool {
        guard PQstatus(handle) == CONNECTION_OK else { return false }
        // A goodbye arrives as an error message, then end-of-file; libpq only
        // notices the end on a later read, so keep reading while data is pending.
        for _ in 0..<4 {
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { break }
            guard PQconsumeInput(handle) != 0 else { return false }
            while let stray = PQnotifies(handle) { PQfreemem(stray) }
            if descriptor.revents & Int16(POLLHUP | POLLERR) != 0 { return false }
        }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// `true` inside a transaction block (open or failed).
    var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// `true` inside a transaction that an error aborted (only ROLLBACK works).
    var isTransactionFailed: Bool { PQtransactionStatus(handle) == PQTRANS_INERROR }

    /// Runs one statement with `$1…$n` parameters and returns its rows.
    public func query(_ sql: String, _ parameters: [(any PostgresEncodable)?] = []) throws(PostgresError) -> PostgresResult {
        var types = [UInt32](repeating: 0, count: parameters.count)
        var binary = [Int32](repeating: 0, count: parameters.count)
        var lengths = [Int32](repeating: 0, count: parameters.count)
        var offsets = [Int](repeating: -1, count: parameters.count)
        parameterBuffer.removeAll(keepingCapacity: true)
        for (position, parameter) in parameters.enumerated() {
            guard let parameter else { continue }
            let kind = type(of: parameter)
            types[position] = kind.postgresDataType.oid
            binary[position] = kind.usesBinaryFormat ? 1 : 0
            let start = parameterBuffer.count
            try parameter.encode(into: &parameterBuffer)
            lengths[position] = Int32(clamping: parameterBuffer.count - start)
            if !kind.usesBinaryFormat { parameterBuffer.append(0) }
            offsets[position] = start
        }
        let key = StatementKey(sql: sql, types: types)
        let name = try preparedName(key)
        let result: OpaquePointer? = parameterBuffer.withUnsafeBufferPointer { buffer in
            var values = [UnsafePointer<CChar>?](repeating: nil, count: parameters.count)
            if let base = buffer.baseAddress {
                let raw = UnsafeRawPointer(base)
                for position in 0..<parameters.count where offsets[position] >= 0 {
                    values[position] = (raw + offsets[position]).assumingMemoryBound(to: CChar.self)
                }
            }
            return PQexecPrepared(handle, name, Int32(parameters.count), values, lengths, binary, 1)
        }
        do {
            return try checked(result)
        } catch {
            // "cached plan must not change result type": the table changed under
            // the statement; prepare it afresh next time.
            if error.sqlState == "0A000" { statements[key] = nil }
            throw error
        }
    }

    /// Runs one statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [(any PostgresEncodable)?] = []) throws(PostgresError) -> Int {
        try query(sql, parameters).affectedRows
    }

    /// Runs a script of one or more statements without parameters (simple
    /// protocol, not prepared), e.g. a migration. Results are discarded.
    public func executeScript(_ sql: String) throws(PostgresError) {
        _ = try checked(PQexec(handle, sql))
    }

    /// Returns the prepared statement name for `sql`, preparing it first if needed.
    private func preparedName(_ key: StatementKey) throws(PostgresError) -> String {
        if let name = statements[key] { return name }
        if statements.count >= cacheSize {
            _ = try checked(PQexec(handle, "DEALLOCATE ALL"))
            statements.removeAll(keepingCapacity: true)
        }
        let name = "purser_\(nextStatement)"
        nextStatement += 1
        _ = try checked(PQprepare(handle, name, key.sql, Int32(key.types.count), key.types))
        statements[key] = name
        return name
    }

    /// Wraps a successful result or throws the error it carries.
    private func checked(_ result: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let result else { throw PostgresError.from(result: nil, connection: handle) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(result)
        default:
            let error = PostgresError.from(result: result, connection: handle)
            PQclear(result)
            throw error
        }
    }
}

/// Calls `body` with a NULL-terminated array of C strings.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    var pointers = copies.map { UnsafePointer($0) }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
