import Foundation

/// Frames waiting for the socket (agent-cli.md §8.6): up to 1000; when full, a new frame
/// evicts the oldest of a lower priority (normal first, then high) or is dropped. A critical frame
/// that finds nothing to evict is returned to the caller for a delayed retry.
public struct OutboundQueue: Sendable {
    public let capacity: Int
    public let warnAt: Int
    public private(set) var frames: [OutboundFrame] = []
    public private(set) var dropped = 0

    public init(capacity: Int = 1000, warnAt: Int = 750) {
        self.capacity = capacity
        self.warnAt = warnAt
    }

    public enum AppendResult: Equatable, Sendable {
        case queued
        /// Queued, after evicting this older frame.
        case queuedEvicting(OutboundFrame)
        case droppedNew
        /// Critical frame with nothing to evict: retry later.
        case retryLater
    }

    public var count: Int { frames.count }
    public var isEmpty: Bool { frames.isEmpty }

    /// Appends whatever the size (a frame whose send failed on an open socket).
    public mutating func force(_ frame: OutboundFrame) { frames.append(frame) }

    public mutating func append(_ frame: OutboundFrame) -> AppendResult {
        if frames.count < capacity {
            frames.append(frame)
            return .queued
        }
        let evictable: [OutboundFrame.Priority]
        switch frame.priority {
        case .critical: evictable = [.normal, .high]
        case .high: evictable = [.normal]
        case .normal: evictable = []
        }
        for priority in evictable {
            if let index = frames.firstIndex(where: { $0.priority == priority }) {
                let evicted = frames.remove(at: index)
                frames.append(frame)
                dropped += 1
                return .queuedEvicting(evicted)
            }
        }
        if frame.priority == .critical { return .retryLater }
        dropped += 1
        return .droppedNew
    }

    /// Takes the whole queue for a flush.
    public mutating func takeAll() -> [OutboundFrame] {
        defer { frames = [] }
        return frames
    }

    /// Puts unsent frames back in front of anything queued meanwhile.
    public mutating func putBack(_ unsent: some Collection<OutboundFrame>) {
        frames = Array(unsent) + frames
    }
}
