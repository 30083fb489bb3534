import AgentIMRuntime
import Testing

@Suite struct StartupGateTests {
    @Test func waitersResumeWhenTheGateOpens() async {
        let gate = StartupGate()
        let waiter = Task { await gate.wait(); return true }
        try? await Task.sleep(for: .milliseconds(50))
        await gate.open()
        #expect(await waiter.value)
        await gate.wait()   // already open: returns at once
    }

    @Test func aCancelledWaiterIsReleasedWithoutTheGateOpening() async {
        let gate = StartupGate()
        let waiter = Task { await gate.wait(); return Task.isCancelled }
        try? await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        #expect(await waiter.value)
    }
}
