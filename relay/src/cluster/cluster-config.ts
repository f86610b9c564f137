/** Where a cluster node's shared services are (RP40–RP46). */
export interface ClusterConfig {
  /** Redis moving each room's updates and presence between nodes. */
  readonly redisUrl: string;
  /** PostgreSQL keeping everything that must last, shared by every node. */
  readonly postgresUrl: string;
  /** Several clusters in one database (the tests): PostgreSQL options, e.g. `-c search_path=…`. */
  readonly postgresOptions?: string;
  /** Several clusters on one Redis (the tests): prefixed to every key. */
  readonly redisPrefix?: string;
}
