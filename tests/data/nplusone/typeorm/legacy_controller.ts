import { getManager, getRepository } from "typeorm";
import { User } from "./entity/User";
import { Photo } from "./entity/Photo";

export async function photosPerUser() {
  const users = await getRepository(User).find();
  for (const user of users) {
    const photos = await getRepository(Photo).find({ where: { userId: user.id } }); // expect: query-in-loop
    console.log(user.name, photos.length);
  }
  for (const user of users) {
    const n = await getManager().count(Photo, { where: { userId: user.id } }); // expect: query-in-loop
    console.log(n);
  }
}

export class UserController {
  private userRepository = getRepository(User);

  async all(ids: number[]) {
    const users = [];
    for (const id of ids) {
      users.push(await this.userRepository.findOneBy({ id })); // expect: query-in-loop
    }
    return users;
  }

  async save(bodies: Partial<User>[]) {
    await Promise.all(bodies.map((b) => this.userRepository.save(b))); // expect: per-row-write-in-loop
  }

  async remove(users: User[]) {
    for (const user of users) {
      await this.userRepository.remove(user); // expect: per-row-write-in-loop
    }
  }

  async managerSave(users: User[]) {
    const manager = getManager();
    for (const user of users) {
      user.active = false;
      await manager.save(user); // expect: per-row-write-in-loop
    }
  }

  async qb(userIds: number[]) {
    for (const userId of userIds) {
      const photo = await getRepository(Photo) // expect: query-in-loop
        .createQueryBuilder("photo")
        .where("photo.userId = :userId", { userId })
        .getMany();
      console.log(photo);
    }
  }

  async eager() {
    const users = await this.userRepository.find({ relations: ["photos"] });
    for (const user of users) {
      console.log(user.photos.length);
    }
  }
}
