import type { ClientConnection, ClientExchange } from "./client-connection.js";
import type { RequestOwner, RouterMetrics } from "./router-metrics.js";
import { problemResponse, type RouterProblem } from "./router-problem.js";

/**
 * A request the router answers itself (no route, a bad Host…): the problem goes out when the
 * request's turn comes, and its body, if any, is read and dropped.
 */
export class ProblemExchange implements ClientExchange {
  private readonly connection: ClientConnection;
  private readonly owner: RequestOwner;
  private readonly problem: RouterProblem;
  private readonly requestId: string;
  private readonly close: boolean;
  private readonly metrics: RouterMetrics;

  constructor(
    connection: ClientConnection,
    owner: RequestOwner,
    problem: RouterProblem,
    requestId: string,
    close: boolean,
    metrics: RouterMetrics,
  ) {
    this.connection = connection;
    this.owner = owner;
    this.problem = problem;
    this.requestId = requestId;
    this.close = close;
    this.metrics = metrics;
  }

  start(): void {
    this.metrics.requestStarted(this.owner);
    this.metrics.routerError(this.owner, this.problem.reason);
    this.connection.socket.write(problemResponse(this.problem, this.requestId, this.close));
    this.metrics.requestFinished(this.owner, "", this.problem.status, 0);
    this.connection.finished(this, this.close);
  }

  onRequestBody(): void {}
  onRequestComplete(): void {}
  abort(): void {}
  onClientDrain(): void {}
}
