/**
 * The Content API's request contract (contracts/content-openapi.json) as checkers. Kept apart from the route
 * module so tests can check what the project sends without starting an emulator.
 */
import contract from '../../contracts/content-openapi.json';
import { contractChecker, type Schema } from './contract-check';

const SCHEMAS = contract.components.schemas as unknown as Record<string, Schema>;
const contractProblem = contractChecker(SCHEMAS);

/** The first way a `POST /v1/Content` body breaks the contract, or undefined. */
export const createBodyProblem = (body: unknown) =>
  contractProblem(body, { $ref: '#/components/schemas/ContentCreateRequest' });
/** The first way an approval request body breaks the contract, or undefined. */
export const approvalBodyProblem = (body: unknown) =>
  contractProblem(body, { $ref: '#/components/schemas/ContentApprovalRequest' });
