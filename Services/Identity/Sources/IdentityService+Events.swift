import Foundation
import PurserAPI
import PurserAuth
import PurserPostgres
import PurserRPC

extension IdentityService {
    /// Largest batch `PublishEvents` takes.
    static let maximumPublishedEvents = 500
    /// Largest `data_json` of one event.
    static let maximumEventDataBytes = 16 * 1024

    /// Keeps the events of a service's outbox (`Identity/PublishEvents`) and
    /// queues their deliveries, in one transaction; wakes the deliverer.
    /// Every event is checked first (a well-formed id, tenant and agent, a
    /// catalogue type produced by the calling service, a JSON object of at most
    /// 16 KiB): one bad event refuses the batch and keeps nothing.
    func publishEvents(_ request: PublishEventsRequest, principal: Principal) async throws -> PublishEventsResponse {
        guard case .service(let source) = principal else {
            throw RPCError(.permissionDenied, "only services publish events", reason: "permission_denied")
        }
        guard request.events.count <= Self.maximumPublishedEvents else {
            throw RPCError.invalid("events", "at most \(Self.maximumPublishedEvents) per call", reason: "events_too_many")
        }
        var ids: [UUID?] = [], tenants: [UUID?] = [], types: [String?] = [], agents: [UUID?] = []
        var times: [Int64?] = [], data: [String?] = []
        for event in request.events {
            guard let id = UUID(uuidString: event.id), let tenant = UUID(uuidString: event.tenantID) else {
                throw RPCError.invalid("id", "events need a UUID id and tenant_id", reason: "event_invalid")
            }
            guard let type = EventCatalogue.type(named: event.type), type.source == source else {
                throw RPCError.invalid("type", "\"\(event.type)\" is not an event type of \(source)", reason: "event_type_unknown")
            }
            var agent: UUID?
            if !event.agentID.isEmpty {
                guard let parsed = UUID(uuidString: event.agentID) else {
                    throw RPCError.invalid("agent_id", "must be a UUID or empty", reason: "event_invalid")
                }
                agent = parsed
            }
            guard event.dataJSON.utf8.count <= Self.maximumEventDataBytes, event.dataJSON.utf8.first == UInt8(ascii: "{") else {
                throw RPCError.invalid("data_json", "must be a JSON object of at most 16 KiB", reason: "event_invalid")
            }
            ids.append(id); tenants.append(tenant); types.append(type.name); agents.append(agent)
            times.append(event.occurredAtUs); data.append(event.dataJSON)
        }
        guard !ids.isEmpty else { return PublishEventsResponse() }
        let parameters: [(any PostgresEncodable)?] = [
            PostgresArray(tenants), PostgresArray(ids), PostgresArray(types), PostgresArray(agents), PostgresArray(times),
            PostgresArray(data), source,
        ]
        let accepted: Int
        do {
            accepted = try await pool.withTransaction { connection -> Int in
                let rows = try connection.query(
                    """
                    SELECT count(*) FILTER (WHERE kept)::bigint FROM (
                        SELECT identity.record_event(e.tenant, e.id, e.type, e.agent, $7, identity.from_us(e.at), e.data::jsonb) AS kept
                          FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::bigint[], $6::text[])
                               AS e(tenant, id, type, agent, at, data)) AS r
                    """, parameters)
                return Int(try rows[0].decode(Int64.self, at: 0))
            }
        } catch let error as PostgresError where error.sqlState == "22P02" {
            throw RPCError.invalid("data_json", "is not JSON", reason: "event_invalid")
        }
        if accepted > 0 { webhooks.nudge() }
        var response = PublishEventsResponse()
        response.accepted = Int32(accepted)
        response.duplicates = Int32(ids.count - accepted)
        return response
    }

    /// Keeps one of Identity's own events about an agent, in `connection`'s
    /// transaction; `data` is SQL yielding the payload's `data` object from the
    /// agent row (`a`). Call `webhooks.nudge()` after the commit.
    static func recordAgentEvent(_ connection: PostgresConnection, tenantID: String, agentID: String,
                                 type: EventCatalogue.EventType, data: String) throws {
        _ = try connection.query(
            """
            SELECT identity.record_event(a.tenant_id, gen_random_uuid(), $3, a.agent_id, 'identity', now(), \(data))
              FROM identity.agents a WHERE a.tenant_id = $1 AND a.agent_id = $2
            """, [tenantID, agentID, type.name])
    }
}
