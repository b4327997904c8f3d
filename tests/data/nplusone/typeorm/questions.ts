import { AppDataSource } from "./data-source";
import { Category } from "./entity/Category";
import { Question } from "./entity/Question";

const questionRepository = AppDataSource.getRepository(Question);
const categoryRepository = AppDataSource.getRepository(Category);

export async function listQuestions() {
  const questions = await questionRepository.find();
  for (const question of questions) {
    question.categories = await categoryRepository.find({ // expect: query-in-loop
      where: { questions: { id: question.id } },
    });
  }
  return questions;
}

export async function listQuestionsEager() {
  return questionRepository.find({ relations: { categories: true } });
}

export async function listQuestionsQb() {
  return questionRepository
    .createQueryBuilder("question")
    .leftJoinAndSelect("question.categories", "category")
    .getMany();
}

export async function saveCategories(names: string[]) {
  for (const name of names) {
    const category = new Category();
    category.name = name;
    await AppDataSource.manager.save(category); // expect: per-row-write-in-loop
  }
}

export async function countPerCategory(categories: Category[]) {
  const result: Record<string, number> = {};
  for (const c of categories) {
    result[c.name] = await AppDataSource.getRepository(Question) // expect: query-in-loop
      .createQueryBuilder("q")
      .innerJoin("q.categories", "c", "c.id = :id", { id: c.id })
      .getCount();
  }
  return result;
}

export async function existsEach(ids: number[]) {
  const found: number[] = [];
  for (const id of ids) {
    if (await questionRepository.exists({ where: { id } })) found.push(id); // expect: query-in-loop
  }
  return found;
}
