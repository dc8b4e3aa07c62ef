/// A key of `CoalescingQueue`: the batches it hands out never mix partitions.
protocol CoalescingKey: Hashable {
    associatedtype Partition: Hashable
    /// The partition this key belongs to (for authorizations: the tenant).
    var partition: Partition { get }
}

/// The queueing rule of group commit, as a pure value.
///
/// At most `maximumInFlight` batches run at once and a key is in at most one
/// running batch. A batch takes the oldest waiting element whose key is not in
/// a running batch, then the other waiting elements of idle keys in the same
/// partition, up to `maximumBatch` elements, grouped by key (keys in order of
/// their first element, each key's elements in arrival order). An element
/// whose key is busy waits, so a key's elements are decided in arrival order,
/// one batch after another.
///
/// `AuthorizationCoalescer` keeps one behind a lock and does what it answers.
struct CoalescingQueue<Key: CoalescingKey, Element> {
    /// The elements of one key in a batch.
    struct Group {
        let key: Key
        var elements: [Element]
    }

    /// Most elements handed out as one batch.
    let maximumBatch: Int
    /// Most batches running at once.
    let maximumInFlight: Int
    /// Batches handed out and not yet finished.
    private(set) var inFlight = 0
    /// Keys in a running batch.
    private var busy: Set<Key> = []
    /// Elements not yet handed out, oldest first.
    private var waiting: [(key: Key, element: Element)] = []

    init(maximumBatch: Int, maximumInFlight: Int = 1) {
        self.maximumBatch = max(1, maximumBatch)
        self.maximumInFlight = max(1, maximumInFlight)
    }

    /// Keys in a running batch.
    var busyKeys: Int { busy.count }
    /// Elements waiting to be handed out.
    var waitingCount: Int { waiting.count }

    /// Records an arrival. Returns the batch to run now (just this element)
    /// when a batch may start and its key is idle; `nil` when it waits.
    ///
    /// Waiting never holds an element that could start (every waiting key is
    /// busy, or every slot is taken), so an arrival starts at most itself.
    mutating func arrive(_ key: Key, _ element: Element) -> [Group]? {
        guard inFlight < maximumInFlight, !busy.contains(key) else {
            waiting.append((key, element))
            return nil
        }
        inFlight += 1
        busy.insert(key)
        return [Group(key: key, elements: [element])]
    }

    /// Records that `batch` finished. Returns the batches to run now (none
    /// when nothing that waits can start).
    mutating func finished(_ batch: [Group]) -> [[Group]] {
        inFlight -= 1
        for group in batch { busy.remove(group.key) }
        var started: [[Group]] = []
        while inFlight < maximumInFlight, let next = takeBatch() {
            started.append(next)
        }
        return started
    }

    /// The oldest waiting elements of idle keys in the partition of the oldest
    /// one, up to `maximumBatch`, grouped by key.
    private mutating func takeBatch() -> [Group]? {
        guard let partition = waiting.first(where: { !busy.contains($0.key) })?.key.partition else { return nil }
        var groups: [Group] = []
        var position: [Key: Int] = [:]
        var taken = 0
        var rest: [(key: Key, element: Element)] = []
        for item in waiting {
            guard taken < maximumBatch, !busy.contains(item.key), item.key.partition == partition else {
                rest.append(item)
                continue
            }
            if let index = position[item.key] {
                groups[index].elements.append(item.element)
            } else {
                position[item.key] = groups.count
                groups.append(Group(key: item.key, elements: [item.element]))
            }
            taken += 1
        }
        guard !groups.isEmpty else { return nil }
        waiting = rest
        inFlight += 1
        for group in groups { busy.insert(group.key) }
        return groups
    }
}

extension CoalescingQueue.Group: Equatable where Element: Equatable {}
extension CoalescingQueue.Group: Sendable where Key: Sendable, Element: Sendable {}
