/** Runs after every integration test file: topics created through the helpers are deleted. */
import { deleteCreatedTopics } from './kafka'

afterAll(deleteCreatedTopics)
