/**
 * The LangGraph.js peer: a graph whose start fans out one `Send` per task to
 * a node running the task's agent (the prebuilt ReAct agent over
 * `ChatAnthropic` pointed at the simulated server, with the agent's tools,
 * read_file executed, answering the workload's file excerpt), the whole
 * graph invoked with `maxConcurrency`. Retries are LangChain's defaults.
 */
import { ChatAnthropic } from '@langchain/anthropic';
import { AIMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { Annotation, END, Send, START, StateGraph } from '@langchain/langgraph';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { measureTasks, type LegResult } from '../measure.js';
import type { PeerWorkload } from '../peer-workload.js';
import { taskNumbers, unusedTool } from './peer-kit.js';

export async function runPeer(workload: PeerWorkload): Promise<LegResult> {
  const { args } = workload;
  const llm = new ChatAnthropic({ model: 'claude-bench', apiKey: 'bench', anthropicApiUrl: args.url, maxTokens: workload.maxTokens });
  const tools = workload.tools.map((spec) =>
    tool(async () => (spec.name === 'read_file' ? workload.toolResult : unusedTool(spec.name)), {
      name: spec.name,
      description: spec.description,
      schema: spec.inputSchema,
    }),
  );
  const agent = createReactAgent({ llm, tools });
  const State = Annotation.Root({ tasks: Annotation<number[]>(), task: Annotation<number>() });
  return measureTasks(args, async (attempt) => {
    const graph = new StateGraph(State)
      .addNode('review', async ({ task }) => {
        await attempt(task, async () => {
          const { messages } = await agent.invoke({
            messages: [new SystemMessage(workload.systems[task] ?? ''), new HumanMessage(workload.prompts[task] ?? '')],
          });
          return messages.filter((message) => AIMessage.isInstance(message)).length;
        });
        return {};
      })
      .addConditionalEdges(START, ({ tasks }) => tasks.map((task) => new Send('review', { task })))
      .addEdge('review', END)
      .compile();
    await graph.invoke({ tasks: taskNumbers(workload) }, { maxConcurrency: args.concurrency });
  });
}
