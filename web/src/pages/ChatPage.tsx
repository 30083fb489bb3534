export default function ChatPage() {
  return <section className="page"><h1>Chat</h1></section>;
}
