/**
 * The `assign` views: who now holds a role (and from whom it was handed over), when, and what the
 * role is responsible for; or that the person already holds it. Functions of what they are given
 * (no I/O); no colour.
 */
import { hhmm } from '../time-text.js';

export interface Role {
  title: string;
  responsibility: string;
}

export function assignedView(input: { role: Role; person: string; previous: string | undefined; at: Date }): string[] {
  const { role, person, previous, at } = input;
  return [
    `${role.title}: ${person}${previous ? ` (handed over from ${previous})` : ''} at ${hhmm(at)} UTC`,
    `  responsible for: ${role.responsibility}`,
  ];
}

export function alreadyAssignedView(person: string, role: Role): string[] {
  return [`${person} is already ${role.title}`];
}
